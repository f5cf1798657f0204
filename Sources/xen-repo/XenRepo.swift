import ArgumentParser

/// `xen-repo`: update repositories for trying and testing the update machinery: `serve` a
/// repository folder over HTTP on loopback, `build` a signed repository from a description.
@main
struct XenRepo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xen-repo",
        abstract: "Build and serve yum update repositories, as XenServer's update channels are.",
        subcommands: [Serve.self, Build.self])
}
