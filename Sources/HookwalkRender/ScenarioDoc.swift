import HookwalkSimulator

/// The pages' name for a simulated scenario (`SimulatedScenario`, the one type the catalog,
/// the findings, the diff and the renderer share): kept so page code reads as it did.
public typealias ScenarioDoc = SimulatedScenario
