import XenAPI
import XenAPIModel

/// The implementations of every class's custom messages. The generated `CustomActions`
/// protocol lists one property per class that has custom messages, so leaving an
/// implementation out here does not compile.
struct CustomMessages: CustomActions {
    let session: SessionMessages
    let task: TaskMessages
    let event: EventMessages
    let message: AlertMessages
    let vm: VMMessages
    let host: HostMessages
    let vif: VIFMessages
    let vbd: VBDMessages
    let vdi: VDIMessages
    let pool: PoolMessages
    let sr: SRMessages
    let pbd: PBDMessages
    let repository: RepositoryMessages
    let rollingOperation: RollingOperationMessages
    let vmGroup: VMGroupMessages

    init(services: CoreServices) {
        session = SessionMessages(services: services)
        task = TaskMessages(services: services)
        event = EventMessages(services: services)
        message = AlertMessages(services: services)
        vm = VMMessages(services: services)
        host = HostMessages(services: services)
        vif = VIFMessages(services: services)
        vbd = VBDMessages(services: services)
        vdi = VDIMessages(services: services)
        pool = PoolMessages(services: services)
        sr = SRMessages(services: services)
        pbd = PBDMessages(services: services)
        repository = RepositoryMessages(services: services)
        rollingOperation = RollingOperationMessages(services: services)
        vmGroup = VMGroupMessages(services: services)
    }

    /// One descriptor per custom message of the model, joined with its handler.
    func descriptors(model: DataModel = .current) -> [MessageDescriptor] {
        let handlers = handlersByClass
        return model.classes.flatMap { cls in
            cls.messages.compactMap { message in
                handlers[cls.name]?[message.name].map { handler in
                    MessageDescriptor(
                        className: cls.name, name: message.name, parameters: message.parameters,
                        takesSession: message.takesSession, hasAsync: message.hasAsync,
                        replacesImplicit: message.replacesImplicit, handler: handler)
                }
            }
        }
    }
}
