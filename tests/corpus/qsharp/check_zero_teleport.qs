// entry: Main()
// shots: 30
// compare: identical
// Teleport a rotated state, undo the rotation on the receiving side, check it is |0>.
import Std.Diagnostics.*;

operation Main() : Bool {
    use (sender, receiver, message) = (Qubit(), Qubit(), Qubit());
    H(sender);
    CNOT(sender, receiver);
    Ry(1.1, message);
    Rz(0.4, message);
    CNOT(message, sender);
    H(message);
    if M(message) == One {
        Z(receiver);
    }
    if M(sender) == One {
        X(receiver);
    }
    Rz(-0.4, receiver);
    Ry(-1.1, receiver);
    let arrived = CheckZero(receiver);
    Message($"arrived intact: {arrived}");
    ResetAll([sender, receiver, message]);
    arrived
}
