//! What a link between one of our programs (or an integrated project) and a budget line says:
//! the relations of `medrd link rs`, `medrd link judgit` and the curated decisions, each with
//! its typed property of the RS vocabulary.

use crate::ingest::rs::term;
use oxigraph::model::NamedNodeRef;

/// What a link says (the `relation` of a candidate link, `rs:relation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Relation {
    /// The program is the line (`rs:sameBudgetLine`).
    Exact,
    /// The line is one ministry's share of the program (`rs:hasPartInRs`).
    Part,
    /// The program is a part of the line (`rs:partOfRsProgram`).
    Whole,
    /// The program is one of many behind an aggregate line (`rs:fundedThroughAggregate`).
    Aggregate,
    /// The line is an integrated project's share of an aggregate (`rs:projectShare`).
    ProjectShare,
    /// The line is a predecessor the program succeeded (`rs:predecessorLine`).
    Successor,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Exact => "exact",
            Relation::Part => "part",
            Relation::Whole => "whole",
            Relation::Aggregate => "aggregate",
            Relation::ProjectShare => "project-share",
            Relation::Successor => "successor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "exact" => Relation::Exact,
            "part" => Relation::Part,
            "whole" => Relation::Whole,
            "aggregate" => Relation::Aggregate,
            "project-share" => Relation::ProjectShare,
            "successor" => Relation::Successor,
            _ => return None,
        })
    }

    /// The typed link property, and `rs:linkedLine`, the property every typed link
    /// specialises (written beside it, so that a query taking any relation needs no
    /// reasoner).
    pub fn predicates(self) -> [NamedNodeRef<'static>; 2] {
        let typed = match self {
            Relation::Exact => term::SAME_BUDGET_LINE,
            Relation::Part => term::HAS_PART_IN_RS,
            Relation::Whole => term::PART_OF_RS_PROGRAM,
            Relation::Aggregate => term::FUNDED_THROUGH_AGGREGATE,
            Relation::ProjectShare => term::PROJECT_SHARE,
            Relation::Successor => term::PREDECESSOR_LINE,
        };
        [typed, term::LINKED_LINE]
    }
}
