/// The field names of one class, laid out once and shared by every record of that class, with
/// their encoded forms precomputed so writing a record never re-escapes a name.
public final class RecordLayout: Sendable {
    public let names: [String]
    public let index: [String: Int]
    /// `<member><name>NAME</name>` for each field.
    let xmlMemberPrefixes: [[UInt8]]
    /// `"NAME":` for each field.
    let jsonKeys: [[UInt8]]

    public init(names: [String]) {
        self.names = names
        self.index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        self.xmlMemberPrefixes = names.map { name in
            var writer = ByteWriter()
            writer.append("<member><name>")
            XMLRPCEncoder.writeEscaped(name, into: &writer)
            writer.append("</name>")
            return writer.bytes
        }
        self.jsonKeys = names.map { name in
            var writer = ByteWriter()
            JSONValueWriter.writeString(name, into: &writer)
            writer.append(":")
            return writer.bytes
        }
    }
}

/// A record as a layout plus values in layout order: a struct that costs nothing to build from
/// a database row. It equals, hashes and reads like the `.structure` with the same members.
public struct RecordFields: Sendable {
    public let layout: RecordLayout
    public let values: [RPCValue]

    public init(layout: RecordLayout, values: [RPCValue]) {
        precondition(layout.names.count == values.count)
        self.layout = layout
        self.values = values
    }

    /// The value of the named field.
    public subscript(name: String) -> RPCValue? { layout.index[name].map { values[$0] } }
}
