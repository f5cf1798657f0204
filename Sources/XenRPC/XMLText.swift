/// Text made safe for XML character data and double-quoted attribute values, the way the
/// XML-RPC encoder writes strings: `<`, `>`, `&`, `"` and CR escaped, and what XML 1.0 cannot
/// carry dropped. For the other XML documents the project writes (database dumps, repository
/// metadata).
public enum XMLText {
    public static func escaped(_ text: String) -> String {
        var writer = ByteWriter(capacity: text.utf8.count + 16)
        XMLRPCEncoder.writeEscaped(text, into: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
