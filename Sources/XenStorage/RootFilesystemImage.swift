import Foundation

/// A physical machine's root filesystem, sent as a tarball, made into a disk: the tarball
/// unpacked with `tar` (owners kept by number, links and devices as they are) and an ext4
/// filesystem made of the tree with `mke2fs -d` (e2fsprogs), spanning the whole disk, labelled
/// `root`. The disk is half as large again as the tarball plus 64 MiB, and at least 256 MiB, so
/// the machine has room to run.
public enum RootFilesystemImage {
    /// Why a tarball could not be made into a disk.
    public enum Failure: Error, Sendable, Hashable {
        /// `tar` could not read the tarball: what it said.
        case notATarball(String)
        /// `mke2fs` failed: what it said.
        case filesystem(String)
    }

    /// The size of the disk for a tarball of `length` bytes: a whole number of 2 MiB blocks.
    public static func diskSize(forTarball length: Int64) -> Int64 {
        let wanted = max(length + length / 2 + 64 << 20, 256 << 20)
        let block = Int64(VHDLayout.blockSize)
        return (wanted + block - 1) / block * block
    }

    /// Makes the disk image `image` (a sparse raw file of `size` bytes) from the tarball at
    /// `tarball`, unpacking it into `tree` (an empty folder the caller removes afterwards);
    /// `filesystemUUID` names the new filesystem.
    public static func make(
        tarball: String, tree: String, image: String, size: Int64, filesystemUUID: String
    ) throws(Failure) {
        do throws(SystemCommand.Failure) {
            try SystemCommand.run("tar", ["-x", "--numeric-owner", "-f", tarball, "-C", tree])
        } catch {
            throw .notATarball(error.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        do throws(SystemCommand.Failure) {
            try SystemCommand.run(
                "mke2fs", ["-q", "-F", "-t", "ext4", "-L", "root", "-U", filesystemUUID, "-d", tree, image, "\(size / 1024)k"])
        } catch {
            throw .filesystem(error.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
