//! '/'-separated path arithmetic for sample and #include names. Purely
//! textual: the parser never touches a file system (in the browser there is
//! none), so `..` is folded lexically.

/// `path` with Windows separators turned into '/'.
pub(crate) fn slashes(path: &str) -> String {
    path.replace('\\', "/")
}

/// The directory part of `path`, with its trailing '/', or "" for a bare name.
pub(crate) fn dir_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "",
    }
}

/// Rooted at '/' or at a Windows drive (`C:/`).
pub(crate) fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    b.first() == Some(&b'/') || (b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic())
}

/// `rel` resolved against directory `dir` (both '/'-separated), normalised.
pub(crate) fn join(dir: &str, rel: &str) -> String {
    if is_absolute(rel) || dir.is_empty() {
        normalize(rel)
    } else if dir.ends_with('/') {
        normalize(&format!("{dir}{rel}"))
    } else {
        normalize(&format!("{dir}/{rel}"))
    }
}

/// Drops empty and `.` segments and folds `name/..`; a `..` that would climb
/// above the start is kept for relative paths and dropped at an absolute root.
pub(crate) fn normalize(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." && !is_drive(last) => {
                    parts.pop();
                }
                Some(&last) if is_drive(last) => {}
                _ if absolute => {}
                _ => parts.push(".."),
            },
            _ => parts.push(seg),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

fn is_drive(seg: &str) -> bool {
    let b = seg.as_bytes();
    b.len() == 2 && b[1] == b':' && b[0].is_ascii_alphabetic()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_of_a_path() {
        assert_eq!(dir_of("a/b/c.sfz"), "a/b/");
        assert_eq!(dir_of("c.sfz"), "");
        assert_eq!(dir_of("/c.sfz"), "/");
    }

    #[test]
    fn joins_and_normalises() {
        assert_eq!(join("inst/", "samples/a.wav"), "inst/samples/a.wav");
        assert_eq!(join("inst", "a.wav"), "inst/a.wav");
        assert_eq!(join("", "./a.wav"), "a.wav");
        assert_eq!(join("inst/sub/", "../samples//a.wav"), "inst/samples/a.wav");
        assert_eq!(join("inst/", "../../a.wav"), "../a.wav");
        assert_eq!(join("/inst/", "../../a.wav"), "/a.wav");
        assert_eq!(join("inst/", "/abs/a.wav"), "/abs/a.wav");
        assert_eq!(join("inst/", "C:/x/a.wav"), "C:/x/a.wav");
        assert_eq!(join("C:/x/", "../../a.wav"), "C:/a.wav");
    }

    #[test]
    fn backslashes_become_slashes() {
        assert_eq!(slashes(r"Samples\Piano\C4.wav"), "Samples/Piano/C4.wav");
        assert!(is_absolute(&slashes(r"D:\x.wav")));
        assert!(!is_absolute("x.wav"));
    }
}
