import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A small XML document read whole into elements (Foundation's `XMLParser`, no DTDs, no external
/// entities): enough for repository metadata, which is small and regular.
public struct XMLElementTree: Sendable {
    /// The element's name without its namespace prefix (`rpm:entry` → `entry`).
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLElementTree]
    /// The character data directly inside the element, trimmed.
    public var text: String

    /// The first child named `name`.
    public func child(_ name: String) -> XMLElementTree? { children.first { $0.name == name } }

    /// The children named `name`.
    public func children(_ name: String) -> [XMLElementTree] { children.filter { $0.name == name } }

    /// The text of the first child named `name`, or `nil`.
    public func text(of name: String) -> String? { child(name)?.text }

    /// Reads a document; `nil` when it is not well-formed XML.
    public static func parse(_ bytes: [UInt8]) -> XMLElementTree? {
        let reader = TreeReader()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse(), let root = reader.root else { return nil }
        return root
    }

    /// Builds the tree from the parser's callbacks.
    private final class TreeReader: NSObject, XMLParserDelegate {
        var stack: [XMLElementTree] = []
        var texts: [String] = []
        var root: XMLElementTree?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            stack.append(XMLElementTree(name: local, attributes: attributes, children: [], text: ""))
            texts.append("")
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !texts.isEmpty { texts[texts.count - 1] += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard var element = stack.popLast(), let text = texts.popLast() else { return }
            element.text = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
        }
    }
}
