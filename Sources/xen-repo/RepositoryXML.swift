import XenRPC
import XenUpdates

/// The metadata documents of a repository, written as createrepo_c and modifyrepo_c write them.
enum RepositoryXML {
    /// One `<data>` entry of `repomd.xml`.
    struct Entry {
        var type: String
        var sha256: String
        var openSHA256: String
        var location: String
        var size: Int
        var openSize: Int
    }

    static func repomd(_ entries: [Entry], revision: Int64) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n"
        xml += "  <revision>\(revision)</revision>\n"
        for entry in entries {
            xml += "  <data type=\"\(entry.type)\">\n"
            xml += "    <checksum type=\"sha256\">\(entry.sha256)</checksum>\n"
            xml += "    <open-checksum type=\"sha256\">\(entry.openSHA256)</open-checksum>\n"
            xml += "    <location href=\"\(entry.location)\"/>\n"
            xml += "    <timestamp>\(revision)</timestamp>\n"
            xml += "    <size>\(entry.size)</size>\n"
            xml += "    <open-size>\(entry.openSize)</open-size>\n"
            xml += "  </data>\n"
        }
        return xml + "</repomd>\n"
    }

    static func primary(_ packages: [(package: RPMPackage, file: String, sha256: String)]) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"\(packages.count)\">\n"
        for (package, file, sha) in packages {
            xml += "<package type=\"rpm\">\n"
            xml += "  <name>\(escape(package.name))</name>\n  <arch>\(package.arch)</arch>\n"
            xml += "  <version epoch=\"\(package.epoch ?? 0)\" ver=\"\(escape(package.version))\" rel=\"\(escape(package.release))\"/>\n"
            xml += "  <checksum type=\"sha256\" pkgid=\"YES\">\(sha)</checksum>\n"
            xml += "  <summary>\(escape(package.name))</summary>\n"
            xml += "  <location href=\"\(escape(file))\"/>\n"
            xml += "</package>\n"
        }
        return xml + "</metadata>\n"
    }

    static func updateInfo(_ updates: [RepositoryDescription.Update], version: String?) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += version.map { "<updates xapi-api-version=\"\(escape($0))\">\n" } ?? "<updates>\n"
        for update in updates {
            xml += "  <update from=\"xen-repo@localhost\" status=\"final\" type=\"\(escape(update.type))\" version=\"1\">\n"
            xml += "    <id>\(escape(update.id))</id>\n    <title>\(escape(update.title))</title>\n"
            xml += "    <issued date=\"\(escape(update.issued))\"/>\n    <severity>\(escape(update.severity ?? "None"))</severity>\n"
            xml += "    <summary>\(escape(update.summary))</summary>\n    <description>\(escape(update.description ?? ""))</description>\n"
            xml += "    <special_info>\(escape(update.specialInfo ?? ""))</special_info>\n    <url>\(escape(update.url ?? ""))</url>\n"
            xml += "    <guidance>\n"
            for kind in GuidanceKind.allCases {
                xml += "      <\(kind.rawValue)>\n"
                for value in update.guidance?[kind.rawValue] ?? [] { xml += "        <value>\(escape(value))</value>\n" }
                xml += "      </\(kind.rawValue)>\n"
            }
            xml += "    </guidance>\n    <guidance_applicabilities>\n"
            for rule in update.applicabilities ?? [] {
                xml += "      <applicability><name>\(escape(rule.name))</name><arch>\(escape(rule.arch))</arch>"
                xml += "<inequality>\(escape(rule.inequality))</inequality><epoch>\(escape(rule.epoch ?? "None"))</epoch>"
                xml += "<version>\(escape(rule.version))</version><release>\(escape(rule.release))</release></applicability>\n"
            }
            xml += "    </guidance_applicabilities>\n    <livepatches>\n"
            for patch in update.livepatches ?? [] {
                xml += "      <livepatch component=\"\(escape(patch.component))\" base=\"\(escape(patch.base))\" to=\"\(escape(patch.to))\""
                xml += " base-buildid=\"\(escape(patch.baseBuildid))\"/>\n"
            }
            xml += "    </livepatches>\n    <pkglist>\n      <collection short=\"xs8\">\n        <name>XenServer 8</name>\n"
            for name in update.packages {
                guard let package = RPMPackage(fullName: name) else { continue }
                xml += "        <package name=\"\(escape(package.name))\" version=\"\(escape(package.version))\" "
                xml += "release=\"\(escape(package.release))\" epoch=\"\(package.epoch ?? 0)\" arch=\"\(package.arch)\">\n"
                xml += "          <filename>\(escape(package.name))-\(escape(package.version))-\(escape(package.release)).\(package.arch).rpm</filename>\n"
                xml += "        </package>\n"
            }
            xml += "      </collection>\n    </pkglist>\n  </update>\n"
        }
        return xml + "</updates>\n"
    }

    static func escape(_ text: String) -> String { XMLText.escaped(text) }
}
