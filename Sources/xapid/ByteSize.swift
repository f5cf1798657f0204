/// Sizes given on the command line: a number of bytes, or one with a binary unit (`KiB`, `MiB`,
/// `GiB`, `TiB`; `K`, `M`, `G`, `T` mean the same).
enum ByteSize {
    static func parse(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [
            ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10),
            ("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10),
        ]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let number = Int64(text.dropLast(suffix.count)) else { return nil }
            let (bytes, overflow) = number.multipliedReportingOverflow(by: scale)
            return overflow || number < 0 ? nil : bytes
        }
        return Int64(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}
