import XenAPI
import XenRPC

extension RPCValue {
    /// A stored datetime field as seconds since the epoch; anything else (or "never") is 0.
    var epochSeconds: Int64 {
        guard case .dateTime(let text) = self else { return 0 }
        return WireDateTime.parse(text) ?? 0
    }
}
