// entry: Main()
// shots: 40
// compare: identical
// Teleport |1> with measurement-controlled corrections; the receiver always reads One.

operation Main() : Result {
    use (message, sender, receiver) = (Qubit(), Qubit(), Qubit());
    X(message);
    H(sender);
    CNOT(sender, receiver);
    CNOT(message, sender);
    H(message);
    if MResetZ(message) == One {
        Z(receiver);
    }
    if MResetZ(sender) == One {
        X(receiver);
    }
    MResetZ(receiver)
}
