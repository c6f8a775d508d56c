/// What covers the screen and takes the keys before the screen's table does; ``AppState/modal`` holds at most one.
public enum Modal: Hashable, Sendable {
    /// A one-line text prompt (``KeyMap/prompt``).
    case prompt(PromptState)
    /// A yes/no question (``KeyMap/confirm``).
    case question(ConfirmState)
    /// The label picker before a workload's egress editor (``KeyMap/labelPicker``).
    case labelPicker(LabelPickerState)
    /// The `?` overlay (``KeyMap/helpOverlay``).
    case help(HelpState)
}

/// Views of ``AppState/modal`` as one optional per kind: reading gives the open modal if it is of that kind; setting a
/// value opens it in place of whatever was open, setting `nil` closes the modal only if it is of that kind.
extension AppState {
    /// The open prompt, if the modal is one.
    public var prompt: PromptState? {
        get { if case .prompt(let prompt) = modal { prompt } else { nil } }
        set { setModal(newValue.map(Modal.prompt), closing: prompt != nil) }
    }

    /// The open yes/no question, if the modal is one.
    public var confirm: ConfirmState? {
        get { if case .question(let question) = modal { question } else { nil } }
        set { setModal(newValue.map(Modal.question), closing: confirm != nil) }
    }

    /// The open label picker, if the modal is one.
    public var labelPicker: LabelPickerState? {
        get { if case .labelPicker(let picker) = modal { picker } else { nil } }
        set { setModal(newValue.map(Modal.labelPicker), closing: labelPicker != nil) }
    }

    /// The `?` overlay, if the modal is it.
    public var help: HelpState? {
        get { if case .help(let help) = modal { help } else { nil } }
        set { setModal(newValue.map(Modal.help), closing: help != nil) }
    }

    /// Opens `new`, or (for `nil`) closes the modal when `closing` says it is of the kind being set to `nil`.
    private mutating func setModal(_ new: Modal?, closing: Bool) {
        if let new { modal = new } else if closing { modal = nil }
    }
}
