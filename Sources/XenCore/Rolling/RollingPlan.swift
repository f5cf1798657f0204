/// The inputs and outputs of the rolling-operation planner (reference §9): hosts with their
/// capacity, remediation time and migration bandwidth; running VMs with their memory and host.
/// Plain values, so the planner is a pure function that tests and benchmarks call directly.
public enum RollingPlan {
    public struct Host: Sendable, Hashable {
        public var id: String
        /// Memory VMs may use on the host, in bytes (after the control domain).
        public var capacity: Int64
        /// Install, reboot, rejoin and verification, in seconds.
        public var remediation: Double
        /// Migration bandwidth of its NIC, in bytes per second.
        public var bandwidth: Double
        /// Whether the host needs the operation (false: already current).
        public var needsRemediation: Bool

        public init(id: String, capacity: Int64, remediation: Double, bandwidth: Double, needsRemediation: Bool = true) {
            self.id = id
            self.capacity = capacity
            self.remediation = remediation
            self.bandwidth = bandwidth
            self.needsRemediation = needsRemediation
        }
    }

    public struct VM: Sendable, Hashable {
        public var id: String
        public var memory: Int64
        public var host: String
        /// A VM that cannot be live-migrated stays on its host (it is shut down for its host's window).
        public var pinned: Bool
        /// An anti-affinity group: no two VMs of a group are ever put on one host by a move.
        public var antiAffinityGroup: String?

        public init(id: String, memory: Int64, host: String, pinned: Bool = false, antiAffinityGroup: String? = nil) {
            self.id = id
            self.memory = memory
            self.host = host
            self.pinned = pinned
            self.antiAffinityGroup = antiAffinityGroup
        }
    }

    /// The limits a run keeps to.
    public struct Policy: Sendable, Hashable {
        /// At most this many hosts down at once (0: as many as capacity allows).
        public var maxUnavailable: Int
        /// The share of each host's capacity kept free, in percent.
        public var headroomPercent: Double
        /// A live migration's fixed cost, in seconds.
        public var migrationSetup: Double
        /// The other end of the time/moves trade-off (reference §9.4): a host whose VMs would have
        /// to wait on hosts still to do (and move again) is left for a later wave when others of
        /// its wave do without, so each VM moves once wherever that is possible, at the cost of
        /// smaller waves.
        public var moveOnce: Bool

        public init(maxUnavailable: Int = 0, headroomPercent: Double = 10, migrationSetup: Double = 0, moveOnce: Bool = false) {
            self.maxUnavailable = maxUnavailable
            self.headroomPercent = headroomPercent
            self.migrationSetup = migrationSetup
            self.moveOnce = moveOnce
        }
    }

    /// One live migration the plan makes.
    public struct Move: Sendable, Hashable {
        public var vm: String
        public var from: String
        public var to: String
    }

    /// Hosts taken down together, the moves that empty them first, and how long the wave takes.
    public struct Wave: Sendable, Hashable {
        public var hosts: [String]
        public var moves: [Move]
        /// Evacuation (the slowest host's NIC) plus remediation (the slowest host), in seconds.
        public var duration: Double
    }

    /// A planned run and what it is measured against.
    public struct Outcome: Sendable {
        public var waves: [Wave]
        /// Movable VMs that fit on no other host when theirs goes down: the plan cannot run as it is.
        public var stranded: [String]
        public var migrations: Int { waves.reduce(0) { $0 + $1.moves.count } }
        public var makespan: Double { waves.reduce(0) { $0 + $1.duration } }
        /// §9.4: every agile VM leaves its host once, the coordinator's twice without a current host.
        public var migrationsLowerBound: Int
        /// §9.4 LB-reboot: the coordinator alone, then the rest `k` at a time.
        public var makespanLowerBound: Double
        /// §9.4 ramp-aware bound: the waves a one-move-per-VM run needs, given the free capacity of
        /// hosts already done.
        public var rampAwareBound: Double
        /// The most hosts down at once that capacity allows (`k`).
        public var maxUnavailable: Int
    }
}
