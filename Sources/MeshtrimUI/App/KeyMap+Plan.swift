import MeshtrimCore

extension KeyMap {
    /// The plan screen (`:plan`).
    public static let plan = KeyMap(
        title: "mesh plan",
        bindings: [
            KeyBinding([.enter], .drillIn, hint: "yaml", "the YAML preview of the Sidecar under the cursor (its diff, validation)"),
            KeyBinding(
                [.character("w")], .write, hint: "write",
                "write the plan directory (wave-N/*.yaml, kustomization.yaml, PLAN.md) into a new or empty directory",
                isDangerous: true),
        ])
}
