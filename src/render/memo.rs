//! What was rendered from what: every output file is recorded with a key
//! hashing all of its inputs. A rebuild renders only files whose key
//! changed, so the dev server re-renders what an edit touches and nothing
//! else, while a full build is simply a rebuild from an empty memo.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

/// A hash map with a fast hasher, for the maps rebuilt on every save.
pub type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;

/// Keys of the files last rendered, by output path.
#[derive(Debug, Default)]
pub struct Memo {
    keys: FastMap<String, u64>,
    /// A memo for one render that nothing renders again: it records
    /// nothing, and every file is rendered.
    one_shot: bool,
}

impl Memo {
    /// A memo for a single render (`annalist build`): working out what
    /// each file was made from would be wasted.
    pub fn one_shot() -> Memo {
        Memo {
            one_shot: true,
            ..Memo::default()
        }
    }

    /// Whether this memo records keys (see [`Memo::one_shot`]).
    pub fn records(&self) -> bool {
        !self.one_shot
    }

    /// Whether the file at `path` must be rendered for inputs `key`.
    pub fn changed(&self, path: &str, key: u64) -> bool {
        self.keys.get(path) != Some(&key)
    }

    /// Records the keys of a successful render: these paths are now the
    /// whole site.
    pub fn replace(&mut self, keys: FastMap<String, u64>) {
        self.keys = keys;
    }

    /// Records the key of one file rendered anew.
    pub fn set(&mut self, path: String, key: u64) {
        self.keys.insert(path, key);
    }

    /// How many files the site has.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether nothing was rendered yet.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Every output path of the last successful render.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }
}

/// The hash of a value, as a memo key. Keys are compared only within one
/// process, so a fast hash with fixed seeds serves.
pub fn key<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = hasher();
    value.hash(&mut h);
    h.finish()
}

/// A map key with its hash, made where the key is read: a map merging
/// keys gathered in parallel from all over a big site's model then never
/// reads them again to hash them (only to compare them on a match).
#[derive(PartialEq, Eq)]
pub struct Hashed<K>(u64, K);

impl<K: Hash> Hashed<K> {
    /// `key` with its hash.
    pub fn new(key: K) -> Self {
        Hashed(self::key(&key), key)
    }

    /// The key.
    pub fn key(&self) -> &K {
        &self.1
    }
}

impl<K> Hash for Hashed<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0);
    }
}

/// The hasher memo keys use.
pub type KeyHasher = ahash::AHasher;

/// A new [`KeyHasher`].
pub fn hasher() -> KeyHasher {
    ahash::RandomState::with_seeds(0x616e, 0x6e61, 0x6c69, 0x7374).build_hasher()
}
