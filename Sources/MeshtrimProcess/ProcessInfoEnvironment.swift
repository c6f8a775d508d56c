import Foundation

/// This process's environment (a seam so `ProcessEnvironment` stays a plain value).
enum ProcessInfoEnvironment {
    /// The variables now.
    static var current: [String: String] { ProcessInfo.processInfo.environment }
}
