/// How log lines are written: one JSON object per line (default, for Loki) or text.
public enum LogFormat: String, Sendable, CaseIterable {
    case json
    case text
}
