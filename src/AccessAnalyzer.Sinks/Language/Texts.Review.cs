namespace AccessAnalyzer.Sinks.Language;

public static partial class Texts
{
    /// <summary>
    /// The gate's and the diff's markdown (a review comment on a change). Rule findings and the reasons a check did not
    /// run stay in English in every language: they are built with the figures and ids they quote, and are the same
    /// sentences as in SARIF, JUnit and JSON, which tools and auditors match on.
    /// </summary>
    private static readonly (string Key, string En, string Fr)[] Review =
    [
        ("gate.passed", "Access gate passed", "Contrôle des accès réussi"),
        ("gate.failed", "Access gate failed", "Contrôle des accès en échec"),
        ("gate.summary", "Source {0}, as of {1}: {2} rules checked, {3} failing, {4} reported only", "Source {0}, au {1} : {2} règles vérifiées, {3} en échec, {4} signalées seulement"),
        ("gate.summaryAccepted", ", {0} accepted by the baseline", ", {0} acceptées par la référence"),
        ("gate.rule", "Rule", "Règle"),
        ("gate.finding", "Finding", "Constat"),
        ("gate.status", "Status", "Statut"),
        ("gate.status.new", "new", "nouveau"),
        ("gate.status.grown", "grown", "aggravé"),
        ("gate.status.expired", "expired", "expiré"),
        ("gate.status.accepted", "accepted", "accepté"),
        ("gate.acceptedOne", "1 finding accepted by the baseline", "1 constat accepté par la référence"),
        ("gate.acceptedMany", "{0} findings accepted by the baseline", "{0} constats acceptés par la référence"),
        ("gate.showAccepted", "{0} lists them", "{0} les liste"),
        ("diff.title", "Access change: excess exposure {0} files", "Évolution des accès : exposition excédentaire {0} dossiers"),
        ("diff.before", "before", "avant"),
        ("diff.after", "after", "après"),
        ("diff.change", "change", "écart"),
        ("diff.total.exposure", "Exposure (Σ reach over accounts)", "Exposition (Σ des accès sur les comptes)"),
        ("diff.total.excessExposure", "Excess exposure (Σ excess over accounts)", "Exposition excédentaire (Σ des excédents sur les comptes)"),
        ("diff.total.sensitiveExcessExposure", "Sensitive excess (Σ over accounts)", "Excédent sensible (Σ sur les comptes)"),
        ("diff.total.principalsWithExcess", "Accounts with excess", "Comptes en excédent"),
        ("diff.total.justifiedFiles", "Justified reach (Σ over accounts)", "Accès justifiés (Σ sur les comptes)"),
        ("diff.total.distinctReachableFiles", "Distinct files any account can open", "Dossiers distincts qu'au moins un compte peut ouvrir"),
        ("diff.total.distinctExcessFiles", "Distinct files open beyond a caseload", "Dossiers distincts ouverts hors portefeuille"),
        ("diff.total.distinctSensitiveExcessFiles", "Distinct sensitive files open beyond a caseload", "Dossiers sensibles distincts ouverts hors portefeuille"),
        ("diff.total.distinctPhishableFiles", "Distinct files accounts without MFA can open", "Dossiers distincts ouvrables par des comptes sans MFA"),
        ("diff.assignments", "Assignments", "Affectations"),
        ("diff.assignmentsNote",
            "excess added: what the grant adds given every other grant; granted alone: beyond its holders' caseloads as if it were their only grant",
            "excédent ajouté : ce que l'affectation ajoute compte tenu de toutes les autres ; seule : au-delà du portefeuille de ses titulaires si elle était leur seule affectation"),
        ("diff.assignment", "assignment", "affectation"),
        ("diff.kind", "change", "modification"),
        ("diff.grant", "grant", "droit"),
        ("diff.holders", "holders", "titulaires"),
        ("diff.excessAdded", "excess added", "excédent ajouté"),
        ("diff.grantedAlone", "granted alone", "seule"),
        ("diff.kind.added", "added", "ajoutée"),
        ("diff.kind.removed", "removed", "retirée"),
        ("diff.kind.widened", "widened", "élargie"),
        ("diff.kind.narrowed", "narrowed", "restreinte"),
        ("diff.kind.changed", "changed", "modifiée"),
        ("diff.memberships", "Memberships", "Appartenances"),
        ("diff.membership", "{0}: {1} in {2}", "{0} : {1} dans {2}"),
        ("diff.membership.added", "added", "ajout"),
        ("diff.membership.removed", "removed", "retrait"),
        ("diff.accounts", "Accounts whose reach or excess changes", "Comptes dont l'accès ou l'excédent change"),
        ("diff.account", "account", "compte"),
        ("diff.accountKind", "kind", "type"),
        ("diff.excessBefore", "excess before", "excédent avant"),
        ("diff.excessAfter", "excess after", "excédent après"),
        ("diff.more", "… and {0} more.", "… et {0} de plus."),
    ];
}
