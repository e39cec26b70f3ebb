import Testing

/// Every client suite starts its own relay and mint (Python processes); run
/// them one after another so that a loaded machine is not asked to start a
/// dozen servers at once.
@Suite(.serialized) enum ClientSuites {}
