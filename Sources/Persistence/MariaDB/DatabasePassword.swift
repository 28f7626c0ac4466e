/// A database password that never shows itself: its `description`, debug description
/// and reflection all read `<redacted>`, so logging or dumping a configuration that holds
/// one cannot leak it.
public struct DatabasePassword: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The password itself, for the driver only.
    let value: String

    /// Wraps a password (e.g. read from `BARKD_DB_PASSWORD_FILE`, trailing newline removed
    /// by the caller).
    public init(_ value: String) {
        self.value = value
    }

    /// Whether there is no password (then none is sent).
    public var isEmpty: Bool { value.isEmpty }
    /// Always `<redacted>`.
    public var description: String { "<redacted>" }
    /// Always `<redacted>`.
    public var debugDescription: String { "<redacted>" }
    /// No children: `dump` shows nothing of the value.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// `text` with every occurrence of the password replaced by `<redacted>` (for driver
    /// error messages; passwords shorter than 4 characters are left alone, or every
    /// message would be mangled).
    func redact(_ text: String) -> String {
        guard value.count >= 4, text.contains(value) else { return text }
        return text.replacing(value, with: "<redacted>")
    }
}
