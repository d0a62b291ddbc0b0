//! Finds where a value sits in a YAML document, for diagnostics about
//! values that parsed fine but are wrong together (an unknown source id, an
//! `end` before its `date`). serde_yaml keeps no positions in its values but
//! does stamp every error with the position of the node being read, so the
//! locator walks to the node along a path and stops there with an error
//! whose position is the answer. It runs only when there is an error to
//! report.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One step of a path into a YAML document.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    /// A key of a mapping.
    Key(&'a str),
    /// An index of a sequence.
    Index(usize),
}

const FOUND: &str = "annalist-locate-found";

/// The 1-based line and column of the node at `path` in `yaml`, if any.
pub fn locate(yaml: &str, path: &[Step]) -> Option<(usize, usize)> {
    let de = serde_yaml::Deserializer::from_str(yaml);
    match (Seek { path }).deserialize(de) {
        Err(e) if e.to_string().contains(FOUND) => e.location().map(|l| (l.line(), l.column())),
        _ => None,
    }
}

struct Seek<'p, 'a> {
    path: &'p [Step<'a>],
}

impl<'de> DeserializeSeed<'de> for Seek<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seek<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Step::Key(want), rest)) = self.path.split_first() else {
            return Err(de::Error::custom(FOUND));
        };
        while let Some(key) = map.next_key::<serde_yaml::Value>()? {
            if key.as_str() == Some(want) {
                return map.next_value_seed(Seek { path: rest });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((Step::Index(want), rest)) = self.path.split_first() else {
            return Err(de::Error::custom(FOUND));
        };
        for _ in 0..*want {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Seek { path: rest }).map(|_| ())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(FOUND))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "title: x\nevents:\n  - date: 2023\n    title: a\n  - date: 2024\n    end: 2023\n    sources: [a, b]\n";

    #[test]
    fn finds_keys_and_indexes() {
        use Step::*;
        assert_eq!(locate(DOC, &[Key("title")]), Some((1, 8)));
        assert_eq!(
            locate(DOC, &[Key("events"), Index(1), Key("end")]),
            Some((6, 10))
        );
        assert_eq!(
            locate(DOC, &[Key("events"), Index(1), Key("sources"), Index(1)]),
            Some((7, 18))
        );
        assert_eq!(locate(DOC, &[Key("missing")]), None);
    }
}
