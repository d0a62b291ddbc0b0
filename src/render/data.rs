//! `timeline.json`: the timeline's events as data for other tools.

use serde::Serialize;

use super::OutputFile;
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
struct EventData<'a> {
    date: &'a str,
    end: Option<&'a str>,
    title: &'a str,
    tags: Vec<&'a str>,
    report: ReportRef<'a>,
    sources: Vec<SourceRef<'a>>,
}

/// The timeline as JSON: report URLs are absolute with a base URL and
/// root-relative (`/reports/x/`) without one.
pub fn timeline_json(site: &Site) -> OutputFile {
    let events: Vec<EventData> = site
        .timeline
        .iter()
        .map(|e| {
            let report = &site.reports[e.report];
            let event = &report.events[e.event];
            EventData {
                date: event.date.iso(),
                end: event.end.as_ref().map(|d| d.iso()),
                title: &event.title,
                tags: e.tags.iter().map(|&t| site.tags[t].name.as_str()).collect(),
                report: ReportRef {
                    title: &report.title,
                    url: site
                        .urls
                        .absolute(&report.dir)
                        .unwrap_or_else(|| ["/", &report.dir].concat()),
                },
                sources: event
                    .source_numbers
                    .iter()
                    .map(|&n| {
                        let s = &report.references[n - 1].source;
                        SourceRef {
                            id: &s.id,
                            title: &s.title,
                            url: s.url.as_ref().map(|u| u.0.as_str()),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    // Compact: indenting made the file half as large again and its
    // writing slower, for a file programs read.
    let mut bytes = Vec::with_capacity(400 * events.len() + 2);
    let _ = serde_json::to_writer(&mut bytes, &events);
    bytes.push(b'\n');
    OutputFile {
        path: "timeline.json".to_string(),
        bytes,
    }
}
