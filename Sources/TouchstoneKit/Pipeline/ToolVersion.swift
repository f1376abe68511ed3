/// The version every report and `--version` name.
public enum ToolVersion {
    public static let current = "0.1.0"
}
