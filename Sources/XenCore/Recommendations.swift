/// A VM's `recommendations`: the limits its template gives, as XenServer writes them
/// (`<restrictions><restriction field="number-of-vifs" max="7"/>…</restrictions>`).
struct Recommendations: Sendable, Equatable {
    /// Each restricted field's maximum.
    var maxima: [String: Int64]

    /// Reads the restrictions that carry a numeric `max`; anything else in the text is ignored.
    init(parsing text: String) {
        var maxima: [String: Int64] = [:]
        for element in text.split(separator: "<").dropFirst() where element.hasPrefix("restriction ") {
            let tag = element.prefix { $0 != ">" }
            // XenServer's templates name the device counts with `property`, the rest with `field`.
            if let field = xmlAttribute("field", in: tag) ?? xmlAttribute("property", in: tag),
                let max = xmlAttribute("max", in: tag).flatMap({ Int64($0) })
            {
                maxima[field] = max
            }
        }
        self.maxima = maxima
    }
}
