/// One disk inside an XVA (`stream_vdi.ml`): 1 MiB chunks named `<prefix>/%08d` (chunk k holds
/// bytes k·1 MiB up to the disk's size), each followed by its checksum member (`<prefix>/%08d.xxhash`
/// with the chunk's XXH64, or `.checksum` with its SHA-1). All-zero chunks are left out, except the first
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

    /// Writes the disk's members through `emit`, one chunk and its checksum member per call;
    /// `progress` gets the bytes of the disk covered so far. The chunk is read straight into the
    /// member that carries it.
    public func write(
        checksum: XVAChunkChecksum = .xxhash, emit: ([UInt8]) async throws -> Void, progress: (Int64) async -> Void = { _ in }
    ) async throws {
        let last = chunkCount - 1
        for index in 0..<chunkCount {
            let offset = Int64(index) * Int64(Self.chunkSize)
            let length = Int(min(Int64(Self.chunkSize), virtualSize - offset))
            let stored = chain.map { $0.holdsData(block: Int(offset) / VHDLayout.blockSize) } ?? false
            guard stored || index == 0 || index == last else {
                await progress(offset + Int64(length))
                continue
            }
            let name = prefix + "/" + Self.number(index)
            let padded = Self.readLength(length)
            let header = TarWriter.header(name: name, size: Int64(length))
            var empty = true
            var text = ""
            var member = try [UInt8](unsafeUninitializedCapacity: 512 + padded + 1024) { bytes, count in
                let raw = UnsafeMutableRawBufferPointer(bytes)
                raw.copyBytes(from: header)
                let data = UnsafeMutableRawBufferPointer(rebasing: raw[512..<512 + padded])
                if stored, let chain { try chain.read(at: offset, into: data) } else { data.initializeMemory(as: UInt8.self, repeating: 0) }
                if padded > length { UnsafeMutableRawBufferPointer(rebasing: data[length...]).initializeMemory(as: UInt8.self, repeating: 0) }
                let chunk = UnsafeRawBufferPointer(rebasing: data[0..<length])
                empty = !stored || isAllZero(chunk)
                if !empty || index == 0 || index == last { text = checksum.text(chunk) }
                count = 512 + padded
            }
            if empty && index != 0 && index != last {
                await progress(offset + Int64(length))
                continue
            }
            member.append(contentsOf: TarWriter.member(name: name + checksum.suffix, data: Array(text.utf8)))
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
