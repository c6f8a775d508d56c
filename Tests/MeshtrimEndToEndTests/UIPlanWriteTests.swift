import Foundation
import MeshtrimCore
import MeshtrimTestSupport
import Testing

/// `:plan` in the real binary (tmux, the bundled demo): the plan screen shows the demo's plan, `w` writes the plan
/// directory through the effect runner (the same files `meshtrim plan --out` writes), and a non-empty directory is
/// refused and left as it was.
@Suite("UI: :plan writes the plan directory", .serialized)
struct UIPlanWriteTests {
    @Test("w on the plan screen writes wave-N/*.yaml, kustomization.yaml and PLAN.md; a non-empty directory is refused")
    func writesThePlanDirectory() async throws {
        try requireTool("tmux")
        let directory = try UIJourneyTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("plan").path

        let session = try UIJourneyTests.session(["--demo"], in: directory, width: 120, height: 40)
        try await session.waitForScreen(timeout: UIJourneyTests.loadTimeout) { $0.contains("CLUSTERS/SIDECAR") }
        try session.press(":")
        try session.type("plan")
        try session.press("Enter")
        let screen = try await session.waitForScreen { $0.contains("TOTALS") && $0.contains("WAVE 1") }
        #expect(screen.contains("PARTIAL: 5 sidecars could not be read"), "\(screen)")
        #expect(screen.contains("enter yaml") && screen.contains("w write"))

        try session.press("w", "C-u")
        try session.type(out)
        try session.press("Enter")
        try await session.waitForScreen { $0.contains("✓ wrote the plan to \(out)") }
        let kustomization = try String(contentsOfFile: out + "/kustomization.yaml", encoding: .utf8)
        let layout = try PlanDirectoryLayout.read(kustomization: kustomization, file: "kustomization.yaml")
        #expect(!layout.waves.isEmpty)
        for file in layout.waves.flatMap(\.files) {
            #expect(try SidecarDocumentReader.read(String(contentsOfFile: out + "/" + file, encoding: .utf8)).sidecars.count == 1, "\(file)")
        }
        #expect(try String(contentsOfFile: out + "/PLAN.md", encoding: .utf8).contains("## Waves"))

        // The same directory again: it is not empty now, so nothing is written into it.
        let before = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        try session.press("w", "C-u")
        try session.type(out)
        try session.press("Enter")
        let refused = try await session.waitForScreen { $0.contains("cannot write") }
        #expect(refused.contains("not empty"), "\(refused)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains("meshtrim-new") }.isEmpty)
        try session.press("q")
    }
}
