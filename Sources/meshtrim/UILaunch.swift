import Foundation
import MeshtrimCore
import MeshtrimFiles
import MeshtrimKube
import MeshtrimTerminal
import MeshtrimUI

/// Where the terminal UI reads the mesh from.
enum UISource: Sendable {
    /// The bundled demo snapshot.
    case demo
    /// A snapshot file.
    case snapshot(String)
    /// Plain manifests (predictions only), with the namespace of objects that name none (`nil`: `default`).
    case manifests([String], namespace: String?)
    /// A live cluster: a kubeconfig (`nil`: KUBECONFIG, then ~/.kube/config) and a context (`nil`: the current one).
    case live(kubeconfig: String?, context: String?)

    /// The label shown while loading.
    var label: String {
        switch self {
        case .demo: return "demo"
        case .snapshot(let path): return path
        case .manifests(let paths, let namespace):
            return "manifests (\(paths.joined(separator: ", "))\(namespace.map { ", -n \($0)" } ?? ""))"
        case .live(_, let context): return context.map { "context \($0)" } ?? "the current context"
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
        /// Pod-proxy reads at once (live clusters).
        var proxyConcurrency = 16
        /// Port-forwards at once (live clusters).
        var portForwardConcurrency = 8
    }

    /// Runs the UI; returns the process exit status.
    static func run(_ options: Options) async -> Int32 {
        if let problem = precheck(options.source) {
            printError("meshtrim: \(problem)")
            return 1
        }
        if case .live(let kubeconfig, let context) = options.source {
            // An exec plugin that prompts (interactiveMode Always, or IfAvailable on a terminal) runs now, while the
            // terminal is still a terminal; the UI's clients use the credential it printed.
            do {
                _ = try await InteractiveExecLogin.runBeforeUI(kubeconfig: kubeconfig, context: context) { printError($0) }
            } catch let error as KubeError {
                printError("meshtrim: \(error.message)")
                return 1
            } catch let error as KubeconfigError {
                printError("meshtrim: \(error.message)")
                return 1
            } catch {
                printError("meshtrim: \(error)")
                return 1
            }
        }
        let inbox = Inbox()
        let live = liveController(for: options, inbox: inbox)
        let loader = Task.detached {
            if let live { await live.start() } else { load(options.source, istioVersion: options.istioVersion, into: inbox) }
        }
        let runner = EffectRunner(inbox: inbox, live: live)
        let outcome: Result<AppState, TerminalFailure> = await UIThread.run {
            let terminal: NcursesTerminal
            do {
                terminal = try NcursesTerminal(colorEnabled: options.colorEnabled)
            } catch {
                return .failure(TerminalFailure(message: "\(error)"))
            }
            defer { terminal.close() }
            let size = terminal.size
            var state = AppState(
                width: size.width, height: size.height, sourceLabel: options.source.label, colorEnabled: options.colorEnabled,
                readOnly: options.readOnly)
            state.live.isEnabled = live != nil  // visible rows and the open detail are observed first
            state.canApplyToCluster = live != nil  // the YAML preview's `a` applies to a live cluster only
            let runtime = Runtime(state: state, terminal: terminal, inbox: inbox) { runner.perform($0) }
            return .success(runtime.run())
        }
        loader.cancel()
        await live?.stop()
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
        case .manifests(let paths, _):
            for path in paths where path != "-" && !FileManager.default.fileExists(atPath: path) {
                return "\(path): no such file or directory"
            }
            return nil
        case .live(let kubeconfig, let context):
            guard let error = LiveController.precheck(kubeconfig: kubeconfig, context: context) else { return nil }
            guard error.isMissing else { return error.message }
            return """
                no cluster to read: KUBECONFIG is not set and ~/.kube/config does not exist. Point meshtrim at a cluster \
                (KUBECONFIG, --kubeconfig FILE, --context NAME), or:
                  meshtrim --demo                 browse the bundled demo mesh
                  meshtrim --snapshot FILE        browse a snapshot (meshtrim snapshot -o FILE captures one)
                  meshtrim --manifests PATH...    browse Kubernetes/Istio manifests (predictions only)
                  meshtrim lab                    run a local cluster stand-in with real Envoys (docs/lab.md)
                """
        }
    }

    /// The controller of a live source, posting its events to the UI; `nil` for files.
    static func liveController(for options: Options, inbox: Inbox) -> LiveController? {
        guard case .live(let kubeconfig, let context) = options.source else { return nil }
        return LiveController(
            kubeconfig: kubeconfig, context: context, istioVersion: options.istioVersion, concurrency: options.proxyConcurrency,
            portForwardConcurrency: options.portForwardConcurrency
        ) { event in
            switch event {
            case .progress(let message): inbox.post(.loadProgress(message))
            case .loaded(let analysis): inbox.post(.loaded(MeshData(analysis: analysis)))
            case .refreshed(let analysis): inbox.post(.refreshed(MeshData(analysis: analysis)))
            case .notice(let message): inbox.post(.notice(message))
            case .failed(let message): inbox.post(.loadFailed(message))
            case .observed: break  // the figures come with the next .refreshed
            case .readStatus(let status): inbox.post(.liveStatus(EffectRunner.liveStatus(status)))
            }
        }
    }

    /// Loads and analyses the mesh, posting progress and the result.
    static func load(_ source: UISource, istioVersion: IstioVersion?, into inbox: Inbox) {
        do {
            let analysis: MeshAnalysis
            var notices: [String] = []
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
            case .manifests(let paths, let namespace):
                inbox.post(.loadProgress("reading manifests…"))
                let set = try ManifestLoader.load(paths: paths, defaultNamespace: namespace)
                inbox.post(.loadProgress("analysing \(Formatting.count(set.inventory.pods.count)) pods…"))
                analysis = MeshAnalysis(
                    inventory: set.inventory, observations: [], source: SourceOptions.manifestsLabel(files: set.files.count, namespace: namespace),
                    istioVersion: istioVersion)
                notices = set.warnings + set.notes
            case .live:
                return  // LiveController loads live clusters.
            }
            inbox.post(.loaded(MeshData(analysis: analysis)))
            // What reading assumed or dropped (objects given twice, namespace-less objects, assumed injection).
            if let first = notices.first {
                inbox.post(.notice(notices.count == 1 ? first : "\(first) (+\(notices.count - 1) more: meshtrim report --manifests … lists them)"))
            }
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
