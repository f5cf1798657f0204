/// The value of an attribute in one tag of the small XML documents templates carry
/// (`<restriction field="vcpus-max" max="64"/>`, `<disk device="0" size="…"/>`); `nil` when absent.
func xmlAttribute(_ name: String, in tag: Substring) -> String? {
    guard let start = tag.range(of: " " + name + "=\"") else { return nil }
    let rest = tag[start.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<end])
}
