import Collections
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XenRPC

/// A second, independent XML-RPC value reader built on Foundation's `XMLParser`: the oracle our
/// hand-written decoder is checked against.
final class FoundationXMLOracle: NSObject, XMLParserDelegate {
    private indirect enum Frame {
        case value(typed: RPCValue?, text: String)
        case array([RPCValue])
        case structure(OrderedDictionary<String, RPCValue>, pendingName: String?)
        case scalar(tag: String, text: String)
        case name(String)
        case other
    }
    private var stack: [Frame] = []
    private var params: [RPCValue] = []
    private var method = ""
    private var inMethodName = false

    /// Parses a `methodCall` document into its method name and parameters.
    static func parseCall(_ bytes: [UInt8]) -> (String, [RPCValue])? {
        let oracle = FoundationXMLOracle()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = oracle
        guard parser.parse() else { return nil }
        return (oracle.method, oracle.params)
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch name {
        case "methodName": inMethodName = true
        case "value": stack.append(.value(typed: nil, text: ""))
        case "array": stack.append(.array([]))
        case "struct": stack.append(.structure([:], pendingName: nil))
        case "name": stack.append(.name(""))
        case "string", "int", "i4", "i8", "boolean", "double", "dateTime.iso8601", "base64", "nil":
            stack.append(.scalar(tag: name, text: ""))
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inMethodName { method += string; return }
        guard let top = stack.popLast() else { return }
        switch top {
        case .value(let typed, let text): stack.append(.value(typed: typed, text: text + string))
        case .scalar(let tag, let text): stack.append(.scalar(tag: tag, text: text + string))
        case .name(let text): stack.append(.name(text + string))
        default: stack.append(top)
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "methodName": inMethodName = false
        case "string", "int", "i4", "i8", "boolean", "double", "dateTime.iso8601", "base64", "nil":
            guard case .scalar(let tag, let text) = stack.popLast() else { return }
            let value: RPCValue
            switch tag {
            case "string": value = .string(text)
            case "int", "i4", "i8": value = Int64(text).map(RPCValue.int) ?? .string(text)
            case "boolean": value = .bool(text == "1")
            case "double": value = Double(text).map(RPCValue.double) ?? .string(text)
            case "dateTime.iso8601": value = .dateTime(text)
            case "base64": value = .base64(text)
            default: value = .nil
            }
            setTyped(value)
        case "array":
            guard case .array(let elements) = stack.popLast() else { return }
            setTyped(.array(elements))
        case "struct":
            guard case .structure(let members, _) = stack.popLast() else { return }
            setTyped(.structure(members))
        case "name":
            guard case .name(let text) = stack.popLast(), case .structure(let members, _) = stack.popLast() else { return }
            stack.append(.structure(members, pendingName: text))
        case "value":
            guard case .value(let typed, let text) = stack.popLast() else { return }
            let value = typed ?? .string(text)
            switch stack.popLast() {
            case .array(var elements)?:
                elements.append(value)
                stack.append(.array(elements))
            case .structure(var members, let pendingName?)?:
                members[pendingName] = value
                stack.append(.structure(members, pendingName: nil))
            case let other?:
                stack.append(other)
            case nil:
                params.append(value)
            }
        default: break
        }
    }

    private func setTyped(_ value: RPCValue) {
        guard case .value = stack.popLast() else { return }
        stack.append(.value(typed: value, text: ""))
    }
}
