// AssemblyInfo-style fragment used for the delay-signed build of
// Contoso.Orchestrations (samples/states/delay-signed.dll). It is compiled
// together with Contoso.Orchestrations.cs and `-delaysign+ -keyfile:keys/contoso.pub`.
// mcs warns (CS1699) that the command-line option is preferred; both are given
// on purpose, as old AssemblyInfo.cs files did.
using System.Reflection;

[assembly: AssemblyDelaySign(true)]
