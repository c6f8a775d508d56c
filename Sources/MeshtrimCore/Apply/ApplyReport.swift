/// An ``ApplyCheck`` said in lines, the same for `meshtrim apply` and the UI's apply confirmation: permission,
/// dry-run, pods that will get the change, what restarts, and the diff against the live object.
public enum ApplyReport {
    /// One line and what it is (so a terminal can colour it); the UI's preview uses the same type.
    public typealias Line = ReportLine

    /// The lines for `check`; `safety` are the safety checks' findings (``SidecarSafetyChecker``), errors first.
    public static func lines(for check: ApplyCheck, safety: [SafetyFinding] = []) -> [Line] {
        let document = check.document
        var lines: [Line] = []
        let state: String
        switch check.exists {
        case true?: state = check.isUnchanged ? "exists, unchanged by this apply" : "exists, will be changed"
        case false?: state = "new, will be created"
        case nil: state = "could not be read"
        }
        lines.append(Line("Sidecar \(document.qualifiedName) from \(document.origin) (\(state))", .heading))
        switch check.permission {
        case .allowed:
            lines.append(Line("✓ RBAC: \(check.exists == true ? "patch" : "create and patch") on sidecars in \(document.namespace) allowed", .success))
        case .denied(let reason):
            lines.append(Line("✗ RBAC: \(reason)", .error))
        case .unknown(let reason):
            lines.append(Line("! RBAC: \(reason)", .warning))
        }
        switch check.dryRun {
        case .accepted(let created):
            lines.append(
                Line("✓ server-side dry-run: the API server accepts it (\(created ? "would create" : "would update") it; nothing was changed)", .success))
        case .rejected(let failure):
            lines.append(Line("✗ server-side dry-run: \(failure.message)", .error))
            if let hint = failure.hint { lines.append(Line("  \(hint)", .note)) }
        case .skipped(let reason):
            lines.append(Line("- server-side dry-run: \(reason)", .note))
        }
        for problem in document.problems {
            lines.append(Line((problem.severity == .error ? "✗ " : "! ") + problem.description, problem.severity == .error ? .error : .warning))
        }
        for finding in safety {
            switch finding.severity {
            case .error: lines.append(Line("✗ safety: \(finding)", .error))
            case .warning: lines.append(Line("! safety: \(finding)", .warning))
            case .info: lines.append(Line("safety: \(finding)", .note))
            }
        }
        if check.pods.isEmpty {
            lines.append(Line("No pod with a sidecar will get this Sidecar now.", .warning))
        } else {
            let shown = check.pods.prefix(8).map(\.name)
            let more = check.pods.count > 8 ? ", … (\(check.pods.count - 8) more)" : ""
            lines.append(
                Line("\(check.pods.count) pod\(check.pods.count == 1 ? "" : "s") will get the new config: \(shown.joined(separator: ", "))\(more)", .note))
        }
        for note in check.notes { lines.append(Line("! " + note, .warning)) }
        lines.append(Line(ApplyCheck.restartNote, .note))
        lines.append(Line("", .note))
        if check.exists == true && check.diff.isEmpty {
            lines.append(Line("DIFF: none (the live Sidecar already says this)", .heading))
        } else {
            let after = check.diffSource == .dryRun ? "as the server-side dry-run merges \(document.origin)" : document.origin
            let heading = check.exists == true ? "DIFF against the live object" : "DIFF (a new object)"
            lines.append(Line(heading + (check.diffSource == .dryRun ? ", as the API server will apply it" : ""), .heading))
            lines.append(Line("--- \(document.qualifiedName) (live)", .diffHeader))
            lines.append(Line("+++ \(document.qualifiedName) (\(after))", .diffHeader))
            for line in check.diff {
                switch line {
                case .context(let text): lines.append(Line(" " + text, .context))
                case .added(let text): lines.append(Line("+" + text, .added))
                case .removed(let text): lines.append(Line("-" + text, .removed))
                case .hunk(let text): lines.append(Line(text, .diffHeader))
                }
            }
        }
        return lines
    }
}
