//! The `git:BRANCH` target: the built site becomes the whole tree of a
//! branch of the site's repository, through git's own command line and
//! its plumbing only, so the working tree, the index and the checked-out
//! branch are never touched:
//!
//! 1. `git hash-object -w --no-filters --stdin-paths` stores every file of
//!    the staged site as a blob (no ignore rules, no line-ending filters);
//! 2. `git update-index --index-info` lists them in a temporary index
//!    (`GIT_INDEX_FILE`), and `git write-tree` makes the tree;
//! 3. if the tree is the one the branch already holds, nothing more
//!    happens; otherwise `git commit-tree` (parent: the branch's tip) and
//!    `git update-ref` (checked against the tip it was made from) add one
//!    commit;
//! 4. `git push REMOTE BRANCH` when asked.
//!
//! With a remote, the remote's BRANCH is fetched first and becomes the
//! base when the local branch is missing (a fresh clone) or behind it, so
//! a publish from another clone or from CI continues the same history and
//! pushes as a fast-forward.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::Changes;

/// Every file of a tree: path -> (mode, blob id).
pub type Tree = BTreeMap<String, (String, String)>;

/// The mode every published file gets.
const FILE_MODE: &str = "100644";

/// Variables that would point git at another repository or index.
const INHERITED: [&str; 6] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_PREFIX",
];

/// The git repository holding a site.
#[derive(Debug)]
pub struct Repo {
    /// Where git commands run (the site's root).
    dir: PathBuf,
    /// Author and committer when git has none configured.
    fallback_identity: bool,
}

/// What a publish to a branch did (or, for a dry run, would do).
#[derive(Debug)]
pub struct Published {
    /// The files added, changed and removed on the branch.
    pub changes: Changes,
    /// The new commit; `None` when the branch already held this site (or
    /// for a dry run).
    pub commit: Option<String>,
}

impl Repo {
    /// The repository containing `root`.
    pub fn find(root: &Path) -> Result<Repo, String> {
        let mut repo = Repo {
            dir: root.to_path_buf(),
            fallback_identity: false,
        };
        let inside = repo.run(&["rev-parse", "--is-inside-work-tree"], None, None);
        if inside.as_deref().map(str::trim) != Ok("true") {
            return Err(format!(
                "{} is not inside a git repository: run `git init` there, or publish to a folder with --to dir:PATH",
                root.display()
            ));
        }
        repo.fallback_identity = repo
            .run(&["var", "GIT_COMMITTER_IDENT"], None, None)
            .is_err();
        Ok(repo)
    }

    /// Refuses a branch checked out in any working tree: moving it would
    /// change what that working tree is based on.
    pub fn refuse_checked_out(&self, branch: &str) -> Result<(), String> {
        let list = self.run(&["worktree", "list", "--porcelain"], None, None)?;
        let wanted = format!("branch refs/heads/{branch}");
        if list.lines().any(|l| l == wanted) {
            return Err(format!(
                "branch `{branch}` is checked out; publish to a branch of its own (such as gh-pages) so your work is left alone"
            ));
        }
        Ok(())
    }

    /// The commit at the tip of `branch`, if the branch exists.
    pub fn tip(&self, branch: &str) -> Result<Option<String>, String> {
        let spec = format!("refs/heads/{branch}^{{commit}}");
        match self.run(&["rev-parse", "--verify", "--quiet", &spec], None, None) {
            Ok(id) => Ok(Some(id.trim().to_string())),
            Err(_) => Ok(None),
        }
    }

    /// The commit at the tip of `branch` on `remote`, fetched; `None` when
    /// the remote has no such branch.
    pub fn remote_tip(&self, remote: &str, branch: &str) -> Result<Option<String>, String> {
        let reference = format!("refs/heads/{branch}");
        let listed = self.run(&["ls-remote", remote, &reference], None, None)?;
        let Some(id) = listed
            .lines()
            .find_map(|l| l.split_once('\t').filter(|(_, r)| *r == reference))
            .map(|(id, _)| id.to_string())
        else {
            return Ok(None);
        };
        let have = format!("{id}^{{commit}}");
        if self.run(&["cat-file", "-e", &have], None, None).is_err() {
            self.run(
                &["fetch", "--quiet", "--no-tags", remote, &reference],
                None,
                None,
            )?;
        }
        Ok(Some(id))
    }

    /// Whether `ancestor` is `commit` or one of its ancestors.
    fn is_ancestor(&self, ancestor: &str, commit: &str) -> bool {
        let args = ["merge-base", "--is-ancestor", ancestor, commit];
        self.run(&args, None, None).is_ok()
    }

    /// The commit to build on: the local branch, or the remote's when the
    /// local one is missing or behind it.
    fn base(&self, local: Option<String>, remote: Option<String>) -> Option<String> {
        match (local, remote) {
            (Some(l), Some(r)) if l == r || self.is_ancestor(&l, &r) => Some(r),
            (Some(l), _) => Some(l),
            (None, r) => r,
        }
    }

    /// The files of `commit`'s tree.
    pub fn tree(&self, commit: &str) -> Result<Tree, String> {
        let out = self.run(&["ls-tree", "-r", "-z", "--full-tree", commit], None, None)?;
        let mut tree = Tree::new();
        for entry in out.split('\0').filter(|e| !e.is_empty()) {
            let (meta, path) = entry
                .split_once('\t')
                .ok_or_else(|| format!("unexpected `git ls-tree` output: {entry}"))?;
            let mut fields = meta.split(' ');
            let (mode, _kind, id) = (fields.next(), fields.next(), fields.next());
            if let (Some(mode), Some(id)) = (mode, id) {
                tree.insert(path.to_string(), (mode.to_string(), id.to_string()));
            }
        }
        Ok(tree)
    }

    /// The blob ids of `files` (site path -> file on disk), stored in the
    /// repository when `write` is set.
    pub fn hash(&self, files: &BTreeMap<String, PathBuf>, write: bool) -> Result<Tree, String> {
        let mut input = String::new();
        for (path, full) in files {
            let full = full.to_string_lossy();
            if full.contains('\n') {
                return Err(format!(
                    "cannot publish `{path}`: its name holds a line break"
                ));
            }
            input.push_str(&full);
            input.push('\n');
        }
        let mut args = vec!["hash-object", "--no-filters", "--stdin-paths"];
        if write {
            args.push("-w");
        }
        let out = self.run(&args, Some(input.as_bytes()), None)?;
        let ids: Vec<&str> = out.lines().collect();
        if ids.len() != files.len() {
            return Err("`git hash-object` did not hash every file".to_string());
        }
        Ok(files
            .keys()
            .zip(ids)
            .map(|(p, id)| (p.clone(), (FILE_MODE.to_string(), id.to_string())))
            .collect())
    }

    /// Makes the tree of `files` through the temporary index `index`.
    pub fn write_tree(&self, files: &Tree, index: &Path) -> Result<String, String> {
        let mut input = Vec::new();
        for (path, (mode, id)) in files {
            input.extend_from_slice(format!("{mode} {id}\t{path}\0").as_bytes());
        }
        let args = ["update-index", "--add", "-z", "--index-info"];
        self.run(&args, Some(&input), Some(index))?;
        Ok(self
            .run(&["write-tree"], None, Some(index))?
            .trim()
            .to_string())
    }

    /// The tree of `commit`.
    pub fn tree_of(&self, commit: &str) -> Result<String, String> {
        let spec = format!("{commit}^{{tree}}");
        Ok(self
            .run(&["rev-parse", &spec], None, None)?
            .trim()
            .to_string())
    }

    /// A new commit of `tree` on top of `parent`, with `message`.
    pub fn commit(
        &self,
        tree: &str,
        parent: Option<&str>,
        message: &str,
    ) -> Result<String, String> {
        let mut args = vec!["commit-tree", tree, "-F", "-"];
        if let Some(parent) = parent {
            args.extend(["-p", parent]);
        }
        Ok(self
            .run(&args, Some(message.as_bytes()), None)?
            .trim()
            .to_string())
    }

    /// Points `branch` at `commit`, provided it still points at `old`
    /// (or, for `None`, does not exist yet).
    pub fn set_branch(&self, branch: &str, commit: &str, old: Option<&str>) -> Result<(), String> {
        let reference = format!("refs/heads/{branch}");
        let args = [
            "update-ref",
            "-m",
            "annalist publish",
            &reference,
            commit,
            old.unwrap_or(""),
        ];
        self.run(&args, None, None).map(|_| ())
    }

    /// The short id of the commit checked out, if any.
    pub fn head(&self) -> Option<String> {
        let out = self.run(
            &["rev-parse", "--verify", "--quiet", "--short", "HEAD"],
            None,
            None,
        );
        out.ok().map(|s| s.trim().to_string())
    }

    /// Pushes `branch` to `remote` under the same name.
    pub fn push(&self, remote: &str, branch: &str) -> Result<(), String> {
        let spec = format!("refs/heads/{branch}:refs/heads/{branch}");
        self.run(&["push", "--quiet", remote, &spec], None, None)
            .map(|_| ())
    }

    /// Runs `git ARGS` in the site's folder with `input` on its standard
    /// input and `index` as its index; its output, or its error message.
    fn run(
        &self,
        args: &[&str],
        input: Option<&[u8]>,
        index: Option<&Path>,
    ) -> Result<String, String> {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(&self.dir).args(args);
        for var in INHERITED {
            cmd.env_remove(var);
        }
        if let Some(index) = index {
            cmd.env("GIT_INDEX_FILE", index);
        }
        if self.fallback_identity {
            for var in ["GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"] {
                cmd.env(var, "annalist");
            }
            for var in ["GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"] {
                cmd.env(var, "annalist@localhost");
            }
        }
        cmd.stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot run git (is it installed?): {e}"))?;
        let output = std::thread::scope(|s| {
            if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
                s.spawn(move || stdin.write_all(input));
            }
            child.wait_with_output()
        })
        .map_err(|e| format!("git {}: {e}", args[0]))?;
        if output.status.success() {
            return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(format!("`git {}` failed: {}", args[0], stderr.trim()))
    }
}

/// Publishes the staged site in `stage` to `branch`, building on the
/// branch of `remote` when given (see the module's text): a dry run
/// compares only; otherwise one new commit when the site changed.
/// `scratch` is a folder for the temporary index.
pub fn publish(
    repo: &Repo,
    branch: &str,
    remote: Option<&str>,
    stage: &Path,
    scratch: &Path,
    dry_run: bool,
) -> Result<Published, String> {
    let files =
        super::files_under(stage).map_err(|e| format!("cannot read the built site: {e}"))?;
    let local = repo.tip(branch)?;
    let remote_tip = match remote {
        Some(remote) => repo.remote_tip(remote, branch)?,
        None => None,
    };
    let tip = repo.base(local.clone(), remote_tip);
    let old = match &tip {
        Some(commit) => repo.tree(commit)?,
        None => Tree::new(),
    };
    let new = repo.hash(&files, !dry_run)?;
    let changes = Changes::between(&old, &new);
    if dry_run {
        return Ok(Published {
            changes,
            commit: None,
        });
    }
    let tree = repo.write_tree(&new, &scratch.join("index"))?;
    if let Some(commit) = &tip
        && repo.tree_of(commit)? == tree
    {
        if local.as_ref() != Some(commit) {
            repo.set_branch(branch, commit, local.as_deref())?;
        }
        return Ok(Published {
            changes: Changes::default(),
            commit: None,
        });
    }
    let message = match repo.head() {
        Some(head) => format!("Publish the site\n\nBuilt by annalist from {head}.\n"),
        None => "Publish the site\n\nBuilt by annalist.\n".to_string(),
    };
    let commit = repo.commit(&tree, tip.as_deref(), &message)?;
    repo.set_branch(branch, &commit, local.as_deref())?;
    Ok(Published {
        changes,
        commit: Some(commit),
    })
}
