import Glibc

/// Creating directories (`mkdir -p`), on database threads only (it blocks).
enum Directory {
    /// Creates `path` and its missing parents (mode 0750); returns why it failed, or nil.
    static func create(_ path: String) -> String? {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o750) != 0 && errno != EEXIST {
                return String(cString: strerror(errno))
            }
            prefix += "/"
        }
        var info = stat()
        guard stat(path, &info) == 0 else { return String(cString: strerror(errno)) }
        return (info.st_mode & S_IFMT) == S_IFDIR ? nil : "not a directory"
    }
}
