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

/// Loads the project's settings through Django in a fresh interpreter and runs `code` after
/// `django.setup()`, with `env` set.
fn in_django(project: &Path, code: &str, env: &[(&str, &str)]) -> Run {
    let mut c = Command::new(python());
    c.arg("-c")
        .arg(format!(
            "import os, sys, django; sys.path.insert(0, {:?}); \
             os.environ['DJANGO_SETTINGS_MODULE'] = 'mysite.settings'; django.setup()\n{code}",
            project.display().to_string()
        ))
        .current_dir(project);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap().into()
}

#[test]
fn django_reads_the_store_and_the_environment() {
    if !have_django() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = startproject(dir.path());
    let store = dir.path().join("secret_key");
    let run = run_in(
        &project,
        &["--store", store.to_str().unwrap(), "mysite/settings.py"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let key = std::fs::read_to_string(&store).unwrap();
    let got = in_django(
        &project,
        "from django.conf import settings; print(settings.SECRET_KEY)",
        &[],
    );
    assert_eq!(got.stdout.trim(), key, "{got:?}");
    let deploy = manage(&project, &["check", "--deploy"]);
    assert!(!deploy.stderr.contains("W009"), "{deploy:?}");

    let dir = tempfile::tempdir().unwrap();
    let project = startproject(dir.path());
    let run = run_in(
        &project,
        &["--from-env", "DJANGO_SECRET_KEY", "mysite/settings.py"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let env_key = "Zq8Lr2Vx9Kt4Np7Ws1Bm6Hc3Jf5Dg0Ya8Ue2Io4Pk7Ln1Mx9Rb3Tc6Vz5Qw2Es8Ad";
    let got = in_django(
        &project,
        "from django.conf import settings; print(settings.SECRET_KEY)",
        &[("DJANGO_SECRET_KEY", env_key)],
    );
    assert_eq!(got.stdout.trim(), env_key, "{got:?}");
    // Without the variable the settings fail loudly instead of running with a weak key.
    let unset = in_django(&project, "print('started')", &[]);
    assert_ne!(unset.code, 0);
    assert!(
        unset.stderr.contains("KeyError: 'DJANGO_SECRET_KEY'"),
        "{unset:?}"
    );
}

#[test]
fn django_verifies_old_signatures_after_rotate_with_keep_fallback() {
    if !have_django() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = startproject(dir.path());
    assert_eq!(run_in(&project, &["mysite/settings.py"]).code, 0);
    let signed = in_django(
        &project,
        "from django.core import signing; print(signing.dumps({'user': 42}))",
        &[],
    );
    assert_eq!(signed.code, 0, "{signed:?}");
    let token = signed.stdout.trim().to_string();
    let verify = format!(
        "from django.core import signing\n\
         from django.conf import settings\n\
         print(signing.loads({token:?})['user'], len(settings.SECRET_KEY_FALLBACKS))"
    );
    let rotated = run_in(
        &project,
        &["--rotate", "--keep-fallback", "mysite/settings.py"],
    );
    assert_eq!(rotated.code, 0, "{rotated:?}");
    let loaded = in_django(&project, &verify, &[]);
    assert_eq!(loaded.stdout.trim(), "42 1", "{loaded:?}");
    // Rotated without a fallback, the old signature no longer verifies.
    assert_eq!(
        run_in(&project, &["--rotate", "mysite/settings.py"]).code,
        0
    );
    let text = std::fs::read_to_string(project.join("mysite/settings.py")).unwrap();
    let fallbacks_line = text
        .lines()
        .find(|l| l.starts_with("SECRET_KEY_FALLBACKS"))
        .unwrap();
    std::fs::write(
        project.join("mysite/settings.py"),
        text.replace(fallbacks_line, "SECRET_KEY_FALLBACKS = []"),
    )
    .unwrap();
    let refused = in_django(
        &project,
        &format!("from django.core import signing\nsigning.loads({token:?})"),
        &[],
    );
    assert!(refused.stderr.contains("BadSignature"), "{refused:?}");
    let deploy = manage(&project, &["check", "--deploy"]);
    assert!(
        !deploy.stderr.contains("W009") && !deploy.stderr.contains("W025"),
        "{deploy:?}"
    );
}
