import Foundation
import MeshtrimCore
import MeshtrimFiles
import MeshtrimKube
import MeshtrimTerminal
import MeshtrimUI

/// Starts the terminal UI: loads the mesh in the background while the UI thread shows "loading…", runs the loop,
/// and always gives the terminal back, also when something fails.
enum UILaunch {
    /// The options the UI needs from the command line.
    struct Options: Sendable {
        var source: MeshSource
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
        if let problem = options.source.precheck() {
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
            if let live { await live.start() } else { await load(options.source, istioVersion: options.istioVersion, into: inbox) }
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

    /// Loads and analyses a file source (``MeshSource/analysis(istioVersion:live:progress:)``), posting progress,
    /// the result, and what reading assumed or dropped as one notice.
    static func load(_ source: MeshSource, istioVersion: IstioVersion?, into inbox: Inbox) async {
        do {
            let analysed = try await source.analysis(istioVersion: istioVersion) { inbox.post(.loadProgress($0)) }
            inbox.post(.loaded(MeshData(analysis: analysed.analysis)))
            // What reading assumed or dropped (objects given twice, namespace-less objects, assumed injection).
            let notices = analysed.warnings + analysed.notes
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
