using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;

namespace AccessAnalyzer.Sinks.Language;

/// <summary>The HTML report's sentences (<c>report --html</c>).</summary>
public static partial class Texts
{
    /// <summary>The sentence for <paramref name="key"/> when the tables have it (rule explanations a newer rule may lack).</summary>
    public static bool TryGet(Lang lang, string key, out string text)
    {
        var table = lang == Lang.Fr ? French : English;
        if (table.TryGetValue(key, out var found))
        {
            text = found;
            return true;
        }

        text = string.Empty;
        return false;
    }

    /// <summary>A rule's explanation: the English one is the rule catalog's own description, so the two never drift apart.</summary>
    private static (string Key, string En, string Fr) Rule(string id, string fr) =>
        ("html.rule." + id, FindingRules.Catalog.Concat(UsageRules.Catalog).Single(r => r.Id == id).Description, fr);

    private static readonly (string Key, string En, string Fr)[] Html =
    [
        ("html.title", "Access beyond need: analysis report", "Accès au-delà du besoin : rapport d'analyse"),
        ("html.footer", "Written by {0} {1}. This file is self-contained: it loads nothing and sends nothing over the network.",
            "Produit par {0} {1}. Ce fichier est autonome : il ne charge rien et n'envoie rien sur le réseau."),
        ("html.tableAlternative", "Figures as a table", "Les chiffres en tableau"),
        ("html.yes", "yes", "oui"),
        ("html.no", "no", "non"),
        ("html.notChecked.lead", "These checks could not run on this source: a missing input is not a clean result.",
            "Ces contrôles n'ont pas pu s'exécuter sur cette source : une donnée absente n'est pas un résultat sans anomalie."),
        ("html.check.access-log", "Access log", "Journal des accès"),
        ("html.check.account-policy", "Account policy", "Politique des comptes"),
        ("html.check.last-login", "Last login", "Dernière connexion"),
        ("html.check.shares", "Shares", "Partages"),
        ("html.check.justifications", "Justifications", "Justifications"),

        ("html.headline.title", "What can be opened, against what is needed", "Ce qui peut être ouvert, face à ce qui est nécessaire"),
        ("html.headline.lead", "Distinct beneficiary files each group of accounts can open (each file once, out of {0}), beside the caseload files those accounts need.",
            "Dossiers de bénéficiaires distincts que chaque groupe de comptes peut ouvrir (chaque dossier une fois, sur {0}), à côté des dossiers de portefeuille dont ces comptes ont besoin."),
        ("html.headline.all", "All accounts ({0})", "Tous les comptes ({0})"),
        ("html.headline.partner", "Partner organisation {0} ({1} accounts)", "Organisme partenaire {0} ({1} comptes)"),
        ("html.headline.noMfa", "Accounts without MFA ({0})", "Comptes sans MFA ({0})"),
        ("html.headline.chart", "Bar chart: distinct files each group can open and the caseload files it needs",
            "Graphique en barres : dossiers distincts que chaque groupe peut ouvrir et dossiers de portefeuille nécessaires"),
        ("html.headline.canOpen", "Distinct files it can open", "Dossiers distincts ouvrables"),
        ("html.headline.beyond", "Distinct files beyond caseload", "Dossiers distincts hors portefeuille"),
        ("html.headline.caseload", "Caseload files needed", "Dossiers de portefeuille nécessaires"),
        ("html.headline.table", "Reach and need by group of accounts", "Portée et besoin par groupe de comptes"),
        ("html.headline.who", "Accounts", "Comptes"),
        ("html.headline.note",
            "Caseload files are summed over the accounts (a file in two caseloads counts twice); what accounts without MFA can open is what phished passwords open.",
            "Les dossiers de portefeuille sont additionnés sur les comptes (un dossier dans deux portefeuilles compte deux fois) ; ce que les comptes sans MFA peuvent ouvrir est ce qu'ouvrent des mots de passe hameçonnés."),

        ("html.units.title", "Excess by the organisation tree", "Excès par l'arborescence de l'organisation"),
        ("html.units.lead",
            "For each unit: the sum, over the accounts whose home unit is that unit or below it, of the files each can open beyond its caseload (a file two accounts can open counts twice). Open a unit to see the units under it.",
            "Pour chaque unité : la somme, sur les comptes rattachés à cette unité ou en dessous, des dossiers que chacun peut ouvrir hors de son portefeuille (un dossier ouvrable par deux comptes compte deux fois). Ouvrez une unité pour voir les unités qu'elle contient."),
        ("html.units.caption", "Excess of the accounts of each unit, national → region → department → agency",
            "Excès des comptes de chaque unité, national → région → département → agence"),
        ("html.units.unit", "Unit", "Unité"),
        ("html.units.kind", "Level", "Niveau"),
        ("html.units.accounts", "Accounts", "Comptes"),
        ("html.units.withExcess", "Accounts with excess", "Comptes en excès"),
        ("html.units.excess", "Excess (Σ over accounts)", "Excès (Σ sur les comptes)"),
        ("html.units.bar", "Excess, relative", "Excès, en proportion"),
        ("html.units.sensitive", "Sensitive excess", "Excès sensible"),
        ("html.units.unplaced", "{0} account(s) have no known home unit; their excess ({1}) is in no row above.",
            "{0} compte(s) n'ont pas d'unité de rattachement connue ; leur excès ({1}) ne figure dans aucune ligne ci-dessus."),

        ("html.kind.staff", "Staff", "Agents"),
        ("html.kind.partner", "Partner", "Partenaires"),
        ("html.kind.service", "Service", "Comptes de service"),

        ("html.ratios.title", "Reach ÷ caseload", "Portée ÷ portefeuille"),
        ("html.ratios.lead",
            "How many times its caseload each account can open, on a logarithmic scale (1, 2, 5, 10, 20…): an account at 1 opens no more files than it needs.",
            "Combien de fois son portefeuille chaque compte peut ouvrir, en échelle logarithmique (1, 2, 5, 10, 20…) : un compte à 1 n'ouvre pas plus de dossiers qu'il n'en a besoin."),
        ("html.ratios.noCaseload", "no caseload", "sans portefeuille"),
        ("html.ratios.chart", "Histogram of reach ÷ caseload, {0} accounts", "Histogramme de la portée ÷ portefeuille, comptes : {0}"),
        ("html.ratios.table", "Accounts by reach ÷ caseload and kind", "Comptes par portée ÷ portefeuille et par type"),
        ("html.ratios.ratio", "Reach ÷ caseload", "Portée ÷ portefeuille"),

        ("html.accounts.title", "Accounts with most excess", "Comptes les plus en excès"),
        ("html.accounts.lead", "Sort by a column with its header; filter by any text of a row.",
            "Triez par une colonne avec son en-tête ; filtrez par tout texte d'une ligne."),
        ("html.accounts.capped", "The {0} accounts with most excess of {1}; every figure above covers all of them.",
            "Les {0} comptes les plus en excès sur {1} ; tous les chiffres ci-dessus les couvrent tous."),
        ("html.accounts.filter", "Filter accounts", "Filtrer les comptes"),
        ("html.accounts.count", "{0} of {1} accounts shown", "{0} comptes affichés sur {1}"),
        ("html.accounts.caption", "Accounts by excess", "Comptes par excès"),
        ("html.accounts.account", "Account", "Compte"),
        ("html.accounts.kind", "Kind", "Type"),
        ("html.accounts.organization", "Organisation", "Organisme"),
        ("html.accounts.unit", "Home unit", "Unité de rattachement"),
        ("html.accounts.mfa", "MFA", "MFA"),
        ("html.accounts.lastLogin", "Last login", "Dernière connexion"),
        ("html.accounts.reach", "Reach", "Portée"),
        ("html.accounts.caseload", "Caseload", "Portefeuille"),
        ("html.accounts.excess", "Excess", "Excès"),
        ("html.accounts.sensitive", "Sensitive excess", "Excès sensible"),

        ("html.findings.title", "Findings", "Constats"),
        ("html.findings.lead", "{0} findings, worst first, each rule with what it means.", "{0} constats, les plus graves d'abord, chaque règle avec sa signification."),
        ("html.findings.severity", "{0} ({1})", "{0} ({1})"),
        ("html.findings.count", "{0} finding(s).", "{0} constat(s)."),
        ("html.findings.messages", "Findings of {0}", "Constats de {0}"),
        ("html.findings.more", "… and {0} more.", "… et {0} de plus."),
        ("html.severity.critical", "Critical", "Critique"),
        ("html.severity.high", "High", "Élevée"),
        ("html.severity.medium", "Medium", "Moyenne"),
        ("html.severity.low", "Low", "Faible"),
        ("html.severity.info", "Information", "Information"),
        Rule(FindingRules.PartnerExcess, "Un compte d'un organisme partenaire peut ouvrir des dossiers hors de son portefeuille."),
        Rule(FindingRules.DormantAccountWithReach,
            "Un compte inactif, ou inutilisé depuis plus longtemps que la période de dormance, atteint encore des dossiers : une prise de contrôle passerait inaperçue."),
        Rule(FindingRules.LockoutThresholdTooHigh,
            "Un organisme ne verrouille les comptes qu'après plus d'échecs de connexion que la politique ne l'autorise, ce qui laisse place à la devinette de mots de passe."),
        Rule(FindingRules.MfaNotRequired, "Un organisme n'exige pas l'authentification multifacteur : un mot de passe hameçonné ouvre ses comptes."),
        Rule(FindingRules.NoMfaWithReach, "Un compte sans authentification multifacteur atteint plus de dossiers que le seuil."),
        Rule(FindingRules.JustificationExpired,
            "Une justification enregistrée d'une portée hors portefeuille a expiré : la portée qu'elle couvrait compte de nouveau comme excès jusqu'à son renouvellement ou sa suppression."),
        Rule(FindingRules.GroupCycle, "Des groupes se contiennent l'un l'autre : chaque membre de l'un est membre de tous, rarement à dessein."),
        Rule(FindingRules.DanglingReference, "Une ligne désigne une unité, un rôle, un groupe, un compte ou un dossier qui n'existe pas."),
        Rule(UsageRules.MassRead, "Un compte a lu en un jour plus de dossiers distincts que le travail de quiconque n'en demande (la fuite : 13 millions en un jour)."),
        Rule(UsageRules.ReadSpike, "Un compte a lu certains jours bien plus que son propre historique et que ses pairs : une fuite lente se voit ici."),
        Rule(UsageRules.SensitiveReadsOutsideCaseload, "Un compte a lu des dossiers sensibles (santé, handicap) hors de son portefeuille."),
        Rule(UsageRules.ActivityFromDormantAccount, "Un compte inactif est encore utilisé."),
        Rule(UsageRules.ReadsOutsideCaseload, "L'essentiel de ce qu'un compte lit se trouve hors de son portefeuille."),
        Rule(UsageRules.LogRetentionTooShort, "Le journal des accès couvre moins que la durée de conservation qu'attend un régulateur."),
        Rule(UsageRules.NoActivityLogged, "Un compte actif qui a une portée n'a aucun accès journalisé : son activité est invisible."),

        ("html.plan.title", "Remediation plan", "Plan de remédiation"),
        ("html.plan.lead", "{0} ranked changes to assignments; applied in order, they take excess exposure from {1} to {2}.",
            "{0} modifications d'affectations classées ; appliquées dans l'ordre, elles font passer l'exposition excédentaire de {1} à {2}."),
        ("html.plan.chart", "Line chart: excess exposure left after the first k changes of the plan",
            "Courbe : exposition excédentaire restante après les k premières modifications du plan"),
        ("html.plan.axisChanges", "changes applied (k)", "modifications appliquées (k)"),
        ("html.plan.excessLeft", "Excess exposure left", "Exposition excédentaire restante"),
        ("html.plan.curveTable", "Excess exposure left after the first k changes", "Exposition excédentaire restante après les k premières modifications"),
        ("html.plan.k", "k", "k"),
        ("html.plan.itemsCaption", "The first {0} of {1} changes", "Les {0} premières des {1} modifications"),
        ("html.plan.rank", "Rank", "Rang"),
        ("html.plan.change", "Change", "Modification"),
        ("html.plan.assignment", "Assignment", "Affectation"),
        ("html.plan.role", "Role", "Rôle"),
        ("html.plan.scope", "Scope", "Périmètre"),
        ("html.plan.newScope", "New scope", "Nouveau périmètre"),
        ("html.plan.holders", "Holders", "Titulaires"),
        ("html.plan.removed", "Excess removed", "Excès supprimé"),
        ("html.plan.cumulative", "Cumulative", "Cumulé"),
        ("html.plan.remove", "remove", "supprimer"),
        ("html.plan.narrowToCaseload", "narrow to caseload", "restreindre au portefeuille"),
        ("html.plan.narrowToUnit", "narrow to unit", "restreindre à l'unité"),
        ("html.plan.ownCaseload", "own caseload", "portefeuille propre"),
        ("html.plan.leftAlone", "Left alone: justified reach", "Laissé en l'état : portée justifiée"),
        ("html.plan.noneLeftAlone", "No justification in force: the plan left nothing alone.", "Aucune justification en vigueur : le plan n'a rien laissé en l'état."),
        ("html.plan.leftAloneCaption", "Justifications in force the plan does not touch", "Justifications en vigueur auxquelles le plan ne touche pas"),
        ("html.plan.subject", "Subject", "Objet"),
        ("html.plan.reason", "Reason", "Motif"),
        ("html.plan.owner", "Owner", "Responsable"),
        ("html.plan.expires", "Expires", "Expire le"),
        ("html.plan.reach", "Reach beyond caseload", "Portée hors portefeuille"),

        ("html.usage.title", "Usage: what flagged accounts read", "Usage : ce que les comptes signalés ont lu"),
        ("html.usage.noLog", "No access log: what accounts read could not be shown.", "Pas de journal des accès : ce que les comptes ont lu ne peut pas être montré."),
        ("html.usage.lead", "Distinct files read each day by the {0} account(s) the usage rules flag; the days the daily rules flag are in red.",
            "Dossiers distincts lus chaque jour par les {0} compte(s) que signalent les règles d'usage ; les jours que signalent les règles journalières sont en rouge."),
        ("html.usage.capped", "The {0} shown first of {1} flagged accounts (days flagged first, then the busiest).",
            "Les {0} premiers des {1} comptes signalés (jours signalés d'abord, puis les plus actifs)."),
        ("html.usage.noReads", "No read before the analysis date.", "Aucune lecture avant la date d'analyse."),
        ("html.usage.table", "Distinct files read by {0} each day", "Dossiers distincts lus par {0} chaque jour"),
        ("html.usage.day", "Day", "Jour"),
        ("html.usage.files", "Distinct files", "Dossiers distincts"),
        ("html.usage.flagged", "Flagged", "Signalé"),
        ("html.usage.chart", "Bar chart: distinct files read each day by {0}, {1} day(s) flagged",
            "Graphique en barres : dossiers distincts lus chaque jour par {0}, {1} jour(s) signalé(s)"),
        ("html.usage.flaggedLegend", "flagged day", "jour signalé"),

        ("html.trend.title", "Trend across stored runs", "Évolution sur les analyses enregistrées"),
        ("html.trend.lead", "{0} stored run(s) of this source, oldest first.", "{0} analyse(s) enregistrée(s) de cette source, de la plus ancienne à la plus récente."),
        ("html.trend.none", "No stored run yet.", "Aucune analyse enregistrée pour l'instant."),
        ("html.trend.chart", "Line chart: excess exposure and distinct excess files across stored runs",
            "Courbe : exposition excédentaire et dossiers distincts en excès au fil des analyses enregistrées"),
        ("html.trend.axis", "analysis date of each run", "date d'analyse de chaque exécution"),
        ("html.trend.table", "Headline figures of each stored run", "Chiffres clés de chaque analyse enregistrée"),
        ("html.trend.asOf", "As of", "Au"),
        ("html.trend.principals", "Accounts", "Comptes"),
        ("html.trend.excessExposure", "Excess exposure", "Exposition excédentaire"),
        ("html.trend.distinctExcess", "Distinct excess files", "Dossiers distincts en excès"),
        ("html.trend.withExcess", "Accounts with excess", "Comptes en excès"),
        ("html.trend.findings", "Findings", "Constats"),
    ];
}
