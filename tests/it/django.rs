//! Real Django is the judge of whether a key is accepted: a project made by `startproject` fails
//! `check --deploy` with security.W009, and after secretpatch it no longer does, and Django loads
//! exactly the key written in the file.
//!
//! Needs a Python with Django (`SECRETPATCH_PYTHON`, as `scripts/test` sets up). Without one the
//! test says so and passes, unless `SECRETPATCH_STRICT=1` (as in CI) makes that a failure.

use std::path::Path;
use std::process::Command;

use crate::util::{judge, python, python_run, run_in, skip, Run};

fn have_django() -> bool {
    let ok = python_run("import django", &[]).code == 0;
    if !ok {
        skip(&format!(
            "{} cannot import django (scripts/test sets it up)",
            python().display()
        ));
    }
    ok
}

fn manage(project: &Path, args: &[&str]) -> Run {
    Command::new(python())
        .arg("manage.py")
        .args(args)
        .current_dir(project)
        .output()
        .unwrap()
        .into()
}

fn startproject(dir: &Path) -> std::path::PathBuf {
    let made: Run = Command::new(python())
        .args(["-m", "django", "startproject", "mysite"])
        .current_dir(dir)
        .output()
        .unwrap()
        .into();
    assert_eq!(made.code, 0, "{made:?}");
    dir.join("mysite")
}

fn key_in(settings: &Path) -> String {
    let text = std::fs::read_to_string(settings).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("SECRET_KEY = '"))
        .unwrap();
    line["SECRET_KEY = '".len()..line.len() - 1].to_string()
}

#[test]
fn django_accepts_the_patched_key() {
    if !have_django() {
        return;
    }
    for extra in [&[][..], &["--alphabet", "django", "--length", "50"]] {
        let dir = tempfile::tempdir().unwrap();
        let project = startproject(dir.path());
        let settings = project.join("mysite/settings.py");
        let original = std::fs::read(&settings).unwrap();
        let before = manage(&project, &["check", "--deploy"]);
        assert!(before.stderr.contains("security.W009"), "{before:?}");

        let mut args = extra.to_vec();
        args.push("mysite/settings.py");
        let run = run_in(&project, &args);
        assert_eq!(run.code, 0, "{run:?}");
        assert!(
            run.stderr
                .contains("replaced SECRET_KEY (line 23: django-insecure prefix)"),
            "{run:?}"
        );

        let after = manage(&project, &["check", "--deploy"]);
        assert!(!after.stderr.contains("W009"), "{after:?}");
        assert!(
            after.stderr.contains("security.W0"),
            "other deploy warnings still show: {after:?}"
        );

        let loaded = python_run(
            "import os, sys, django; sys.path.insert(0, sys.argv[1]); \
             os.environ['DJANGO_SETTINGS_MODULE'] = 'mysite.settings'; django.setup(); \
             from django.conf import settings; print(settings.SECRET_KEY)",
            &[project.to_str().unwrap()],
        );
        assert_eq!(loaded.stdout.trim(), key_in(&settings), "{loaded:?}");

        let copy = dir.path().join("original.py");
        std::fs::write(&copy, &original).unwrap();
        judge(&copy, &settings, "SECRET_KEY").unwrap();
        assert_eq!(run_in(&project, &["--check", "mysite/settings.py"]).code, 0);
    }
}
