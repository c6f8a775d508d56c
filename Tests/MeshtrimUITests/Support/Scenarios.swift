import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// Named states for goldens and key tests, each reached by pressing keys from the namespaces screen, the way a
/// person would get there.
enum Scenario: String, CaseIterable, Sendable, CustomStringConvertible {
    case loading
    case loadFailed
    case namespaces
    case namespacesFiltered
    case pods
    case detail
    case detailReason
    case labelPicker
    case editor
    case editorExpanded
    case editorCustomHostPrompt
    case meshDefault
    case preview
    case previewDiff
    case writePrompt
    case confirmOverwrite
    case help
    case commandPrompt
    case writeFailed
    case plan
    case planBottom

    var description: String { rawValue }

    /// The state at `width` × `height`.
    func state(width: Int, height: Int, colorEnabled: Bool = true) -> AppState {
        switch self {
        case .loading:
            return AppState(width: width, height: height, sourceLabel: "demo", colorEnabled: colorEnabled, loadingMessage: "analysing 1,560 pods…")
        case .loadFailed:
            var state = AppState(width: width, height: height, sourceLabel: "broken.json", colorEnabled: colorEnabled)
            _ = reduce(&state, .loadFailed("broken.json: snapshot format version 9 is not supported by this meshtrim (it reads version 1)"))
            return state
        default:
            break
        }
        var state = TestMesh.state(width: width, height: height, colorEnabled: colorEnabled)
        switch self {
        case .loading, .loadFailed, .namespaces:
            break
        case .namespacesFiltered:
            state.press(.character("/"))
            state.type("!in")
        case .pods:
            state.goToNamespace("bookinfo")
            state.press(.enter)
        case .detail, .detailReason:
            state.goToNamespace("bookinfo")
            state.press(.enter, .enter)
            if self == .detailReason { state.press(.down, .enter) }
        case .labelPicker:
            state.goToNamespace("bookinfo")
            state.press(.enter, .character("e"))
        case .editor:
            state.goToNamespace("shipping")
            state.press(.character("e"), .character("1"))
        case .editorExpanded:
            state.goToNamespace("bookinfo")
            state.press(.character("e"), .character("2"), .down, .down, .down, .down)
        case .editorCustomHostPrompt:
            state.goToNamespace("payments")
            state.press(.character("e"), .character("1"), .character("a"))
            state.type("*/api.example")
        case .meshDefault:
            state.press(.character("E"))
        case .preview:
            state.goToNamespace("shipping")
            state.press(.character("e"), .character("1"), .character("y"))
        case .previewDiff:
            state.goToNamespace("scoped")
            state.press(.character("e"), .character("a"))
            state.type("payments/*")
            state.press(.enter, .character("y"), .character("d"))
        case .writePrompt:
            state.goToNamespace("shipping")
            state.press(.character("e"), .character("1"), .character("y"), .character("w"))
        case .confirmOverwrite:
            state.goToNamespace("shipping")
            state.press(.character("e"), .character("1"), .character("y"), .character("w"), .enter)
            _ = reduce(&state, .fileExists(path: "/work/sidecar-shipping.yaml"))
        case .help:
            state.press(.character("?"))
        case .commandPrompt:
            state.press(.character(":"), .character("p"))
        case .writeFailed:
            state.goToNamespace("shipping")
            state.press(.character("e"), .character("1"), .character("y"), .character("w"), .enter)
            _ = reduce(&state, .fileWriteFailed(message: "/etc/hostname is a file, not a directory", path: "/etc/hostname/sidecar-shipping.yaml"))
        case .plan, .planBottom:
            state.press(.character(":"))
            state.type("plan")
            state.press(.enter)
            if self == .planBottom { state.press(.end) }
        }
        return state
    }
}

extension AppState {
    /// Moves the namespaces screen's selection to `name`.
    mutating func goToNamespace(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let data, case .namespaces(let screen) = top,
            let index = data.analysis.namespaces.firstIndex(where: { $0.name == name }),
            let position = screen.list.rows.firstIndex(of: index)
        else {
            Issue.record("no row for namespace \(name) on the namespaces screen (\(breadcrumbs))", sourceLocation: sourceLocation)
            return
        }
        for _ in 0..<position { press(.down, sourceLocation: sourceLocation) }
    }
}
