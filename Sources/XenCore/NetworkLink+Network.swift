import XenAPI
import XenBackend
import XenDB

extension NetworkLink {
    /// A VIF's network, as its domain is told: the network's bridge, external when the network
    /// has physical interfaces (xapi makes and removes the bridges of networks without any
    /// itself, as switches among a host's VMs).
    init?(_ network: Ref<Network>, in snapshot: Snapshot) {
        guard let network = snapshot[network] else { return nil }
        self.init(bridge: network.bridge, external: !network.pifs.isEmpty)
    }
}
