import XenRPC

/// libFuzzer entry point: the XML-RPC and JSON-RPC decoders must never crash, and what the
/// XML-RPC decoder accepts must survive encoding and decoding again unchanged (up to the
/// untyped form 64-bit ints and doubles take on the wire).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    if let call = try? XMLRPCDecoder.decodeCall(bytes) {
        let encoded = XMLRPCEncoder.call(method: call.method, params: call.params)
        guard let again = try? XMLRPCDecoder.decodeCall(encoded) else {
            fatalError("re-encoded call does not decode: \(String(decoding: encoded, as: UTF8.self))")
        }
        guard again.params.map(wireForm) == call.params.map(wireForm) else {
            fatalError("round trip changed the parameters: \(call.params.map(wireForm)) became \(again.params.map(wireForm))")
        }
    }
    _ = try? XMLRPCDecoder.decodeResponse(bytes)
    _ = try? JSONRPC.decodeRequest(bytes)
    return 0
}

/// What a value looks like after one more trip over the wire.
private func wireForm(_ value: RPCValue) -> RPCValue {
    switch value {
    case .int(let number): .string(String(number))
    case .int32(let number): .int(Int64(number))
    case .double(let number): .string(String(XMLRPCEncoder.fragment(.double(number))))
    case .string(let text): .string(writable(text))
    // The decoder trims datetimes and drops whitespace in base64, which may surface once
    // unwritable characters are gone.
    case .dateTime(let text): .dateTime(trimmed(writable(text)))
    case .base64(let text): .base64(writable(text).filter { !" \t\n\r".contains($0) })
    case .array(let elements): .array(elements.map(wireForm))
    case .structure(let members):
        // Member names lose unwritable characters too; names that then collide merge as the decoder merges them.
        .structure(members.reduce(into: [:]) { $0[writable($1.key)] = wireForm($1.value) })
    case .record, .bool, .nil: value
    }
}

/// Text as the encoder writes it: XML 1.0 cannot carry C0 control characters other than tab, LF
/// and CR, nor U+FFFE and U+FFFF.
private func writable(_ text: String) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.filter {
        ($0.value >= 0x20 || $0 == "\t" || $0 == "\n" || $0 == "\r") && $0.value != 0xFFFE && $0.value != 0xFFFF
    }))
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links executables through `<module>_main`; hand control to libFuzzer's driver from there.
@_cdecl("xmlrpc_fuzz_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}

private func trimmed(_ text: String) -> String {
    var scalars = Substring(text).unicodeScalars[...]
    while let first = scalars.first, " \t\n\r".unicodeScalars.contains(first) { scalars.removeFirst() }
    while let last = scalars.last, " \t\n\r".unicodeScalars.contains(last) { scalars.removeLast() }
    return String(String.UnicodeScalarView(scalars))
}
