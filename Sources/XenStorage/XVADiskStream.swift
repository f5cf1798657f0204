/// One disk inside an XVA (`stream_vdi.ml`): 1 MiB chunks named `<prefix>/%08d` (chunk k holds
/// bytes k·1 MiB up to the disk's size), each followed by its `<prefix>/%08d.xxhash` member with
/// the chunk's XXH64 as 16 uppercase hex digits. All-zero chunks are left out, except the first
/// and the last, which an importer needs; blocks no VHD of the chain holds are never read.
public struct XVADiskStream: Sendable {
    public static let chunkSize = 1 << 20

    /// The disk's files, or `nil` for a disk without a file (it reads as zeros).
    public let chain: VHDChain?
    public let virtualSize: Int64
    /// The disk's id in `ova.xml` (`Ref:3`).
    public let prefix: String

    public init(chain: VHDChain?, virtualSize: Int64, prefix: String) {
        self.chain = chain
        self.virtualSize = virtualSize
        self.prefix = prefix
    }

    /// How many chunks the disk has (written or skipped).
    public var chunkCount: Int { Int((virtualSize + Int64(Self.chunkSize) - 1) / Int64(Self.chunkSize)) }

    /// Writes the disk's members through `emit`; `progress` gets the bytes of the disk covered so far.
    public func write(emit: ([UInt8]) async throws -> Void, progress: (Int64) async -> Void = { _ in }) async throws {
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        let last = chunkCount - 1
        for index in 0..<chunkCount {
            let offset = Int64(index) * Int64(Self.chunkSize)
            let length = Int(min(Int64(Self.chunkSize), virtualSize - offset))
            let stored = chain.map { $0.holdsData(block: Int(offset) / VHDLayout.blockSize) } ?? false
            var empty = true
            if stored, let chain {
                try buffer.withUnsafeMutableBytes { bytes in
                    let window = UnsafeMutableRawBufferPointer(rebasing: bytes[0..<Self.readLength(length)])
                    try chain.read(at: offset, into: window)
                    empty = isAllZero(UnsafeRawBufferPointer(rebasing: bytes[0..<length]))
                }
            } else if index == 0 || index == last {
                buffer.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
            }
            if empty && index != 0 && index != last {
                await progress(offset + Int64(length))
                continue
            }
            let name = prefix + "/" + Self.number(index)
            let hash = buffer.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
            var member = TarWriter.header(name: name, size: Int64(length))
            member.append(contentsOf: buffer[0..<length])
            member.append(contentsOf: TarWriter.padding(after: Int64(length)))
            member.append(contentsOf: TarWriter.member(name: name + ".xxhash", data: Array(XXH64.text(hash).utf8)))
            try await emit(member)
            await progress(offset + Int64(length))
        }
    }

    /// Reads are whole sectors: a tail shorter than a sector is read to the sector's end.
    private static func readLength(_ length: Int) -> Int { (length + 511) / 512 * 512 }

    /// `%08d`.
    static func number(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
