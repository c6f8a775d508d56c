import Foundation
import MeshtrimCore
import MeshtrimTerminal
import MeshtrimUI

/// Where the terminal UI reads the mesh from.
enum UISource: Sendable {
    /// The bundled demo snapshot.
    case demo
    /// A snapshot file.
    case snapshot(String)
    /// Plain manifests (predictions only).
    case manifests([String])

    /// The label shown while loading.
    var label: String {
        switch self {
        case .demo: return "demo"
        case .snapshot(let path): return path
        case .manifests(let paths): return "manifests (\(paths.joined(separator: ", ")))"
        }
    }
}

/// Starts the terminal UI: loads the mesh in the background while the UI thread shows "loading…", runs the loop,
/// and always gives the terminal back, also when something fails.
enum UILaunch {
    /// The options the UI needs from the command line.
    struct Options: Sendable {
        var source: UISource
        var colorEnabled: Bool
        var readOnly: Bool
        var istioVersion: IstioVersion?
    }

    /// Runs the UI; returns the process exit status.
    static func run(_ options: Options) async -> Int32 {
        if let problem = precheck(options.source) {
            printError("meshtrim: \(problem)")
            return 1
        }
        let inbox = Inbox()
        let loader = Task.detached { load(options.source, istioVersion: options.istioVersion, into: inbox) }
        let runner = EffectRunner(inbox: inbox)
        let outcome: Result<AppState, TerminalFailure> = await UIThread.run {
            let terminal: NcursesTerminal
            do {
                terminal = try NcursesTerminal(colorEnabled: options.colorEnabled)
            } catch {
                return .failure(TerminalFailure(message: "\(error)"))
            }
            defer { terminal.close() }
            let size = terminal.size
            let state = AppState(
                width: size.width, height: size.height, sourceLabel: options.source.label, colorEnabled: options.colorEnabled,
                readOnly: options.readOnly)
            let runtime = Runtime(state: state, terminal: terminal, inbox: inbox) { runner.perform($0) }
            return .success(runtime.run())
        }
        loader.cancel()
        switch outcome {
        case .failure(let failure):
            printError("meshtrim: \(failure.message)")
            return 2
        case .success(let state):
            for path in runner.written { print("meshtrim: wrote \(path)") }
            if case .failed(let message) = state.load {
                printError("meshtrim: \(message)")
                return 1
            }
            return 0
        }
    }

    /// A problem worth reporting before taking over the terminal (a missing file), or `nil`.
    static func precheck(_ source: UISource) -> String? {
        switch source {
        case .demo:
            return nil
        case .snapshot(let path):
            return FileManager.default.fileExists(atPath: path) ? nil : "\(path): no such file"
        case .manifests(let paths):
            for path in paths where path != "-" && !FileManager.default.fileExists(atPath: path) {
                return "\(path): no such file or directory"
            }
            return nil
        }
    }

    /// Loads and analyses the mesh, posting progress and the result.
    static func load(_ source: UISource, istioVersion: IstioVersion?, into inbox: Inbox) {
        do {
            let analysis: MeshAnalysis
            switch source {
            case .demo:
                inbox.post(.loadProgress("reading the bundled demo snapshot…"))
                let snapshot = try DemoSnapshot.load()
                inbox.post(.loadProgress("analysing \(Formatting.count(snapshot.inventory.pods.count)) pods…"))
                analysis = MeshAnalysis(snapshot: snapshot, source: "demo", istioVersion: istioVersion)
            case .snapshot(let path):
                inbox.post(.loadProgress("reading \(path)…"))
                let snapshot = try MeshSnapshot.load(from: path)
                inbox.post(.loadProgress("analysing \(Formatting.count(snapshot.inventory.pods.count)) pods…"))
                analysis = MeshAnalysis(snapshot: snapshot, source: path, istioVersion: istioVersion)
            case .manifests(let paths):
                inbox.post(.loadProgress("reading manifests…"))
                let set = try ManifestLoader.load(paths: paths)
                inbox.post(.loadProgress("analysing \(Formatting.count(set.inventory.pods.count)) pods…"))
                analysis = MeshAnalysis(
                    inventory: set.inventory, observations: [], source: "manifests (\(Formatting.plural(set.files.count, "file")))",
                    istioVersion: istioVersion)
            }
            inbox.post(.loaded(MeshData(analysis: analysis)))
        } catch {
            inbox.post(.loadFailed("\(error)"))
        }
    }
}

/// Why the terminal could not be opened.
struct TerminalFailure: Error, Sendable {
    /// The message.
    var message: String
}
