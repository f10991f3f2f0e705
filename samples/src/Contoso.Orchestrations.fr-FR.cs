// Satellite-style assembly for Contoso.Orchestrations, culture fr-FR.
// A real satellite holds only resources; this one embeds a small text
// resource (Contoso.Orchestrations.Messages.fr-FR.txt) and no types.
using System.Reflection;

[assembly: AssemblyTitle("Contoso.Orchestrations.resources")]
[assembly: AssemblyCompany("Contoso Ltd.")]
[assembly: AssemblyProduct("Contoso Integration Suite")]
[assembly: AssemblyCulture("fr-FR")]
[assembly: AssemblyVersion("1.2.3.4")]
