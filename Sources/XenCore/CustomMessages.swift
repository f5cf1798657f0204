import XenAPI
import XenAPIModel

/// Joins the model's custom messages with their implementations (the generated `…Actions`
/// protocols make a missing implementation a compile error; this table makes a missing
/// registration a test failure).
enum CustomMessages {
    static func descriptors(services: CoreServices, model: DataModel = .current) -> [MessageDescriptor] {
        let handlers: [String: [String: MessageHandler<CallContext>]] = [
            "session": SessionMessages(services: services).sessionHandlers,
            "task": TaskMessages(services: services).taskHandlers,
            "event": EventMessages(services: services).eventHandlers,
            "message": AlertMessages(services: services).messageHandlers,
        ]
        var result: [MessageDescriptor] = []
        for cls in model.classes {
            for message in cls.messages {
                guard let handler = handlers[cls.name]?[message.name] else { continue }
                result.append(
                    MessageDescriptor(
                        className: cls.name, name: message.name, parameters: message.parameters,
                        takesSession: message.takesSession, hasAsync: message.hasAsync, handler: handler))
            }
        }
        return result
    }
}
