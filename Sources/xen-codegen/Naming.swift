/// How datamodel names become Swift names in the generated layer.
enum Naming {
    private static let acronyms: [String: String] = [
        "vm": "VM", "vdi": "VDI", "vbd": "VBD", "vif": "VIF", "sr": "SR", "pif": "PIF", "pbd": "PBD", "ha": "HA",
        "cpu": "CPU", "api": "API", "vcpus": "VCPUs", "pci": "PCI", "gpu": "GPU", "pgpu": "PGPU", "vgpu": "VGPU",
        "sm": "SM", "ipv4": "IPv4", "ipv6": "IPv6", "tls": "TLS", "uefi": "UEFI", "pvs": "PVS", "usb": "USB",
        "vusb": "VUSB", "pusb": "PUSB", "vtpm": "VTPM", "nvram": "NVRAM", "hvm": "HVM", "pv": "PV", "wlb": "WLB",
        "uuid": "UUID", "mac": "MAC", "mtu": "MTU", "vlan": "VLAN", "vmpp": "VMPP", "vmss": "VMSS", "dr": "DR",
    ]

    private static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "func", "import", "init", "inout", "internal", "let",
        "operator", "private", "protocol", "public", "static", "struct", "subscript", "typealias", "var", "break",
        "case", "continue", "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat",
        "return", "switch", "where", "while", "as", "catch", "false", "is", "nil", "rethrows", "super", "self",
        "Self", "throw", "throws", "true", "try", "Any", "Type", "some", "any",
    ]

    private static func words(_ name: String) -> [String] {
        name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
    }

    /// `vm_power_state` → `VMPowerState`, `VM_guest_metrics` → `VMGuestMetrics`.
    static func typeName(_ name: String) -> String {
        words(name).map { word in acronyms[word.lowercased()] ?? (word.prefix(1).uppercased() + word.dropFirst()) }
            .joined()
    }

    /// `login_with_password` → `loginWithPassword`, `HANDLE_INVALID` → `handleInvalid`.
    static func memberName(_ name: String) -> String {
        let parts = words(name)
        guard let first = parts.first else { return "_" }
        let allUpper = name == name.uppercased()
        var result = allUpper ? first.lowercased() : lowerFirstWord(first)
        for word in parts.dropFirst() {
            let lowered = word.lowercased()
            if let acronym = acronyms[lowered] { result += acronym } else if allUpper {
                result += lowered.prefix(1).uppercased() + lowered.dropFirst()
            } else {
                result += word.prefix(1).uppercased() + word.dropFirst()
            }
        }
        if result.first?.isNumber == true { result = "_" + result }
        return result
    }

    private static func lowerFirstWord(_ word: String) -> String {
        let lowered = word.lowercased()
        // Acronyms and their plurals (`VIFs`, `VBDs`) lose their capitals as a first word.
        if word.uppercased() == word || acronyms[lowered] != nil
            || (lowered.hasSuffix("s") && acronyms[String(lowered.dropLast())] != nil)
        {
            return lowered
        }
        return word.prefix(1).lowercased() + word.dropFirst()
    }

    /// A member name that is safe as an identifier (keywords in backticks).
    static func identifier(_ name: String) -> String {
        let member = memberName(name)
        return keywords.contains(member) ? "`\(member)`" : member
    }

    /// A parameter name: `self` and `class` get readable replacements, since they cannot be used bare.
    static func parameterName(_ name: String) -> String {
        switch name {
        case "self": "object"
        case "class": "className"
        default: identifier(name)
        }
    }

    /// A string literal for Swift source.
    static func literal(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return "\"\(escaped)\""
    }

    /// A one-line doc comment body.
    static func doc(_ text: String) -> String {
        text.replacingNewlines()
    }
}

extension String {
    func replacingNewlines() -> String {
        split(separator: "\n").joined(separator: " ")
    }
}
