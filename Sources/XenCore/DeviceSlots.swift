import Crypto
import XenAPI
import XenDB

/// Where a VM's devices may go, and the MACs its interfaces get, as xapi decides them: network
/// interfaces in slots 0–15 (fewer if the VM's template recommends fewer), disks in slots 0–254.
enum DeviceSlots {
    /// xapi's slot ranges.
    static let vifSlots = 0...15
    static let vbdSlots = 0...254

    /// The VIF slots the VM may use: 0–15, within its `number-of-vifs` recommendation.
    static func vifSlots(of vm: ObjectView<VM>) -> ClosedRange<Int> {
        let limit = Recommendations(parsing: vm.recommendations).maxima["number-of-vifs"].map { Int($0) } ?? vifSlots.count
        return 0...max(min(limit, vifSlots.count) - 1, 0)
    }

    /// The VBD slots the VM may use: 0–254, within its `number-of-vbds` recommendation.
    static func vbdSlots(of vm: ObjectView<VM>) -> ClosedRange<Int> {
        let limit = Recommendations(parsing: vm.recommendations).maxima["number-of-vbds"].map { Int($0) } ?? vbdSlots.count
        return 0...max(min(limit, vbdSlots.count) - 1, 0)
    }

    /// The free VIF slots, as numeric strings.
    static func freeVIFSlots(of vm: ObjectView<VM>, in snapshot: Snapshot) -> [String] {
        let used = Set(vm.vifs.compactMap { snapshot[$0]?.device })
        return vifSlots(of: vm).map(String.init).filter { !used.contains($0) }
    }

    /// The free VBD slots, as numeric strings.
    static func freeVBDSlots(of vm: ObjectView<VM>, in snapshot: Snapshot) -> [String] {
        let used = Set(vm.vbds.compactMap { snapshot[$0]?.userdevice })
        return vbdSlots(of: vm).map(String.init).filter { !used.contains($0) }
    }

    /// A slot number as xapi accepts it: an unsigned decimal.
    static func slot(_ text: String) -> Int? {
        guard !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else { return nil }
        return Int(text)
    }

    /// xapi's MAC for the interface in `slot` of a VM with `seed` (`other_config:mac_seed`): MD5
    /// applied 2·slot+1 times to the seed gives four bytes, MD5 once more two more; the first
    /// byte is made locally administered and unicast.
    static func mac(slot: Int, seed: String) -> String {
        var digest = Array(Insecure.MD5.hash(data: Array(seed.utf8)))
        for _ in 0..<(slot * 2) { digest = Array(Insecure.MD5.hash(data: digest)) }
        let next = Array(Insecure.MD5.hash(data: digest))
        var bytes = [digest[0], digest[1], digest[2], digest[3], next[1], next[2]]
        bytes[0] = (bytes[0] | 0x02) & 0xFE
        return bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }

    /// xapi's MAC check: six pairs of hex digits, either case, separated by colons.
    static func isValidMAC(_ mac: String) -> Bool {
        let parts = mac.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 6 && parts.allSatisfy { $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isHexDigit } }
    }
}
