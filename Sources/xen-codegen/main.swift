import Foundation
import XenAPIModel

// xen-codegen: writes the typed layer (Sources/XenAPI/Generated), api.json and the Markdown API
// reference (docs/api) from the datamodel.
// Usage: swift run xen-codegen [package root]   (default: the current directory)

let root = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? FileManager.default.currentDirectoryPath)
let model = DataModel.current
let outputs: [(String, String)] = [
    ("Sources/XenAPI/Generated/Errors.swift", ErrorsGenerator.source(model)),
    ("Sources/XenAPI/Generated/Enums.swift", EnumsGenerator.source(model)),
    ("Sources/XenAPI/Generated/Actions.swift", ActionsGenerator.source(model)),
    ("api.json", try APIDescription.json(model)),
] + RecordsGenerator.files(model) + ClientGenerator.files(model) + MarkdownReference.pages(model).map { ($0.path, $0.text) }
for (path, text) in outputs {
    let url = root.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    let existing = try? String(contentsOf: url, encoding: .utf8)
    if existing != text {
        try text.write(to: url, atomically: true, encoding: .utf8)
        print("wrote \(path)")
    }
}
