//! `timeline.json`: the timeline's events as data for other tools.

use serde::Serialize;

use super::OutputFile;
use super::pages::event_reads;
use crate::ahead;
use crate::model::Site;

#[derive(Serialize)]
struct ReportRef<'a> {
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct SourceRef<'a> {
    id: &'a str,
    title: &'a str,
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct EventData<'a, T: Serialize, S: Serialize> {
    date: &'a str,
    end: Option<&'a str>,
    title: &'a str,
    tags: T,
    report: ReportRef<'a>,
    sources: S,
}

/// A list written as it is read: the timeline of a big site is hundreds of
/// thousands of events, each with its tags and sources, and none of it is
/// worth gathering into vectors only to be written out once.
struct Seq<I>(I);

impl<I: Iterator<Item: Serialize> + Clone> Serialize for Seq<I> {
    fn serialize<Ser: serde::Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        s.collect_seq(self.0.clone())
    }
}

fn seq<I: IntoIterator<Item: Serialize>>(items: I) -> Seq<I::IntoIter> {
    Seq(items.into_iter())
}

/// The timeline as JSON: report URLs are absolute with a base URL and
/// root-relative (`/reports/x/`) without one.
pub fn timeline_json(site: &Site) -> OutputFile {
    // In runs, each read ahead before it is written: the events' reports
    // are spread over the whole model.
    let events = ahead::in_runs(&site.timeline, |e| event_reads(site, e)).map(|e| {
        let report = &site.reports[e.report];
        let event = &report.events[e.event];
        EventData {
            date: event.date.iso(),
            end: event.end.as_ref().map(|d| d.iso()),
            title: &event.title,
            tags: seq(e.tags.iter().map(|&t| site.tags[t].name.as_str())),
            report: ReportRef {
                title: &report.title,
                url: site
                    .urls
                    .absolute(&report.dir)
                    .unwrap_or_else(|| ["/", &report.dir].concat()),
            },
            sources: seq(event.source_numbers.iter().map(|&n| {
                let s = &report.references[n - 1].source;
                SourceRef {
                    id: &s.id,
                    title: &s.title,
                    url: s.url.as_ref().map(|u| u.0.as_str()),
                }
            })),
        }
    });
    // Compact: indenting made the file half as large again and its
    // writing slower, for a file programs read.
    // About 500 bytes an event, made at full size at once (room never
    // written is never touched).
    let mut bytes = Vec::with_capacity(1024 * site.timeline.len() + 2);
    let _ = serde_json::to_writer(&mut bytes, &seq(events));
    bytes.push(b'\n');
    OutputFile {
        path: "timeline.json".to_string(),
        bytes,
    }
}
