import { describe } from 'vitest';
import { ruleCaseTests, type RuleCase } from './helpers.js';

const RULE = 'no-floating-promise';

const invalid: RuleCase[] = [
  { name: 'a dropped create_task', code: `\nimport asyncio\nasync def on_order(order):\n    asyncio.create_task(send_receipt(order))  # expect: droppedTask\n` },
  { name: 'a dropped ensure_future', code: `\nimport asyncio\ndef on_order(order):\n    asyncio.ensure_future(send_receipt(order))  # expect: droppedTask\n` },
  { name: 'the running loop in a local', code: `\nimport asyncio\nasync def start():\n    loop = asyncio.get_running_loop()\n    loop.create_task(poll())  # expect: droppedTask\n` },
  { name: "the instance's loop", code: `\nclass Worker:\n    def start(self):\n        self._loop.create_task(self.run())  # expect: droppedTask\n` },
  { name: 'get_event_loop().create_task', code: `\nimport asyncio\ndef kick():\n    asyncio.get_event_loop().create_task(refresh())  # expect: droppedTask\n` },
  { name: 'a done callback does not keep the task', code: `\nimport asyncio\nasync def go():\n    asyncio.create_task(work()).add_done_callback(report)  # expect: droppedTask\n` },
  { name: 'a task in a local nothing reads', code: `\nimport asyncio\nasync def go():\n    task = asyncio.create_task(work())  # expect: droppedTask\n    return 1\n` },
  { name: 'a task assigned to _', code: `\nimport asyncio\nasync def go():\n    _ = asyncio.create_task(work())  # expect: droppedTask\n` },
  {
    name: 'a sibling coroutine called without await',
    code: `\nclass Repo:\n    async def asave(self, x):\n        pass\n    async def save_all(self, xs):\n        for x in xs:\n            self.asave(x)  # expect: coroutineNotAwaited\n`,
  },
  { name: 'a module coroutine called from sync code', code: `\nasync def notify(user):\n    pass\ndef on_signup(user):\n    notify(user)  # expect: coroutineNotAwaited\n` },
  {
    name: 'a coroutine imported from a sibling module',
    code: `\nfrom .mail import send_mail\ndef on_paid(order):\n    send_mail(order)  # expect: coroutineNotAwaited\n`,
    others: { 'app/mail.py': 'async def send_mail(order):\n    pass\n', 'app/__init__.py': '' },
  },
  { name: 'asyncio.sleep without await', code: `\nimport asyncio\nasync def backoff():\n    asyncio.sleep(1)  # expect: coroutineNotAwaited\n` },
  { name: 'asyncio.wait_for without await', code: `\nimport asyncio\nasync def go():\n    asyncio.wait_for(work(), 5)  # expect: coroutineNotAwaited\n` },
  { name: 'a gather nobody awaits', code: `\nimport asyncio\nasync def go():\n    asyncio.gather(a(), b())  # expect: gatherNotAwaited\n` },
  { name: 'a gather in a local nothing reads', code: `\nimport asyncio\nasync def go():\n    results = asyncio.gather(a(), b())  # expect: gatherNotAwaited\n` },
  {
    name: "seed 004's fix: a task created in a call_soon_threadsafe lambda",
    code: `
import asyncio
class Reconciler:
    async def subscribe_async(self):
        loop = asyncio.get_event_loop()
        def on_next(e):
            loop.call_soon_threadsafe(lambda: asyncio.create_task(self.handle(e)))  # expect: droppedTaskCallback
        self.subscription = self.stream.subscribe(on_next)
`,
  },
  { name: 'a task created in a call_later lambda', code: `\nimport asyncio\ndef later(loop):\n    loop.call_later(5, lambda: asyncio.ensure_future(flush()))  # expect: droppedTaskCallback\n` },
  {
    name: 'a coroutine function as a signal handler',
    code: `\nimport signal\nclass App:\n    async def ashutdown(self, *args):\n        pass\n    def install(self):\n        signal.signal(signal.SIGTERM, self.ashutdown)  # expect: asyncCallback\n`,
  },
  {
    name: "a coroutine function as a thread's target",
    code: `\nimport threading\nclass Poller:\n    async def arun(self):\n        pass\n    def start(self):\n        threading.Thread(target=self.arun).start()  # expect: asyncCallback\n`,
  },
  {
    name: 'call_soon of a coroutine function',
    code: `\nclass Buffer:\n    async def aflush(self):\n        pass\n    def schedule(self, loop):\n        loop.call_soon(self.aflush)  # expect: asyncCallback\n`,
  },
  { name: 'atexit.register of a coroutine function', code: `\nimport atexit\nasync def aclose():\n    pass\natexit.register(aclose)  # expect: asyncCallback\n` },
  {
    name: 'a coroutine function as a done callback',
    code: `\nclass Job:\n    async def aon_done(self, fut):\n        pass\n    def watch(self, fut):\n        fut.add_done_callback(self.aon_done)  # expect: asyncCallback\n`,
  },
  {
    name: 'a coroutine function submitted to an executor',
    code: `\nasync def afetch(url):\n    pass\ndef fetch_all(executor, urls):\n    for url in urls:\n        executor.submit(afetch, url)  # expect: asyncCallback\n`,
  },
  {
    name: 'a coroutine function as an Rx observer',
    code: `\nclass Projection:\n    async def on_event_async(self, e):\n        pass\n    def start(self, observable):\n        return observable.subscribe(self.on_event_async)  # expect: asyncCallback\n`,
  },
  {
    name: 'run_in_executor of a coroutine function',
    code: `\nclass Calc:\n    async def acompute(self):\n        pass\n    async def go(self, loop):\n        return await loop.run_in_executor(None, self.acompute)  # expect: asyncCallback\n`,
  },
  {
    name: 'a coroutine method of an object held by the instance',
    code: `\nclass Repo:\n    async def asave(self, x):\n        pass\nclass Service:\n    def __init__(self):\n        self.repo = Repo()\n    def place(self, order):\n        self.repo.asave(order)  # expect: coroutineNotAwaited\n`,
  },
  {
    name: 'add_signal_handler with a coroutine function',
    code: `\nimport signal\nclass Server:\n    async def astop(self):\n        pass\n    def install(self, loop):\n        loop.add_signal_handler(signal.SIGINT, self.astop)  # expect: asyncCallback\n`,
  },
  { name: 'a task created in a sync callback', code: `\nimport asyncio\ndef on_message(msg):\n    asyncio.create_task(handle(msg))  # expect: droppedTask\n` },
  // The generalisation round's own cases.
  {
    name: 'a lambda that creates a task, handed to an emitter',
    code: `\nimport asyncio\ndef wire(emitter):\n    emitter.on("message", lambda m: asyncio.create_task(handle(m)))  # expect: droppedTaskCallback\n`,
  },
  {
    name: 'a lambda that creates a task, connected to a signal',
    code: `\nimport asyncio\nclass Dialog:\n    def setup(self):\n        self.button.clicked.connect(lambda: asyncio.ensure_future(self.save()))  # expect: droppedTaskCallback\n    async def save(self):\n        pass\n`,
  },
  {
    name: 'a coroutine function behind a decorator that keeps it one (its wrapper returns the call)',
    code: `
import functools
def authorized(method):
    @functools.wraps(method)
    def inner(self, *args, **kwargs):
        self.check()
        return method(self, *args, **kwargs)
    return inner
class FilesHandler:
    @authorized
    async def get(self, path):
        pass
    def head(self, path):
        self.get(path)  # expect: coroutineNotAwaited
`,
  },
  {
    name: 'an iscoroutinefunction guard about another function does not cover the call',
    code: `
from inspect import iscoroutinefunction
class Plugin:
    async def decrypt(self, message):
        pass
    def on_message(self, message, hook):
        if not iscoroutinefunction(hook):
            self.decrypt(message)  # expect: coroutineNotAwaited
`,
  },
  {
    name: 'a coroutine function handed to an executor the instance keeps (self._pool = ThreadPoolExecutor())',
    code: `
from concurrent.futures import ThreadPoolExecutor
class Exporter:
    def __init__(self):
        self._workers = ThreadPoolExecutor(4)
    async def push(self, rows):
        pass
    def export(self, rows):
        self._workers.submit(self.push, rows)  # expect: asyncCallback
`,
  },
];

const valid: RuleCase[] = [
  { name: 'an awaited task', code: `\nimport asyncio\nasync def go():\n    await asyncio.create_task(work())\n` },
  {
    name: 'a task kept in a set, discarded when done',
    code: `\nimport asyncio\nbackground_tasks = set()\nasync def go():\n    task = asyncio.create_task(work())\n    background_tasks.add(task)\n    task.add_done_callback(background_tasks.discard)\n`,
  },
  { name: 'a TaskGroup', code: `\nimport asyncio\nasync def go(jobs):\n    async with asyncio.TaskGroup() as tg:\n        for job in jobs:\n            tg.create_task(job())\n` },
  { name: "anyio's task group", code: `\nimport anyio\nasync def go():\n    async with anyio.create_task_group() as tg:\n        tg.start_soon(work)\n` },
  {
    name: 'tasks collected in a list',
    code: `\nimport asyncio\nasync def go(items):\n    tasks = []\n    for i in items:\n        tasks.append(asyncio.create_task(work(i)))\n    await asyncio.gather(*tasks)\n`,
  },
  { name: 'a returned task', code: `\nimport asyncio\ndef start():\n    return asyncio.create_task(work())\n` },
  { name: 'a task kept on the instance', code: `\nimport asyncio\nclass Poller:\n    def start(self):\n        self._task = asyncio.create_task(self.run())\n` },
  { name: 'a task awaited later', code: `\nimport asyncio\nasync def go():\n    task = asyncio.create_task(work())\n    other()\n    await task\n` },
  { name: 'an awaited gather', code: `\nimport asyncio\nasync def go():\n    await asyncio.gather(a(), b())\n` },
  { name: 'an awaited sibling', code: `\nclass Repo:\n    async def asave(self):\n        pass\n    async def go(self):\n        await self.asave()\n` },
  { name: 'a returned coroutine', code: `\nclass Repo:\n    async def asave(self):\n        pass\n    def save_later(self):\n        return self.asave()\n` },
  { name: 'a sync sibling', code: `\nclass Repo:\n    def save(self):\n        pass\n    def go(self):\n        self.save()\n` },
  { name: 'an unknown call', code: `\nasync def go(client):\n    client.send("x")\n` },
  { name: 'asyncio.run', code: `\nimport asyncio\nif __name__ == "__main__":\n    asyncio.run(main())\n` },
  { name: 'call_soon of a sync function', code: `\nclass Buffer:\n    def flush(self):\n        pass\n    def schedule(self, loop):\n        loop.call_soon(self.flush)\n` },
  { name: 'a sync thread target', code: `\nimport threading\nclass Poller:\n    def run(self):\n        pass\n    def start(self):\n        threading.Thread(target=self.run).start()\n` },
  { name: 'a sync signal handler', code: `\nimport signal\ndef handler(signum, frame):\n    pass\nsignal.signal(signal.SIGTERM, handler)\n` },
  { name: 'allowForKnownSafeCalls', code: `\nimport asyncio\nasync def go():\n    asyncio.ensure_future(work())\n`, options: { allowForKnownSafeCalls: ['asyncio.ensure_future'] } },
  { name: 'checkCallbacks off', code: `\nimport atexit\nasync def aclose():\n    pass\natexit.register(aclose)\n`, options: { checkCallbacks: false } },
  { name: "a scheduler's own create_task", code: `\ndef plan(scheduler):\n    scheduler.create_task(job)\n` },
  { name: 'an async generator called without await', code: `\nasync def rows():\n    yield 1\ndef start():\n    rows()\n` },
  {
    name: 'a future kept in a pending set',
    code: `\nimport asyncio\nclass Sender:\n    def send(self, m):\n        fut = asyncio.ensure_future(self.transport(m))\n        fut.add_done_callback(self.pending.discard)\n        self.pending.add(fut)\n`,
  },
  { name: 'a task handed to a registry', code: `\nimport asyncio\nasync def go():\n    register(asyncio.create_task(work()))\n` },
  { name: 'a lambda that keeps the task', code: `\nimport asyncio\ndef on_next(loop, tasks, e):\n    loop.call_soon_threadsafe(lambda: tasks.add(asyncio.create_task(handle(e))))\n` },
  { name: 'a coroutine function referenced, not called', code: `\nasync def f():\n    pass\nhandlers = [f]\n` },
  { name: 'an awaited asyncio.wait', code: `\nimport asyncio\nasync def go(tasks):\n    done, pending = await asyncio.wait(tasks)\n` },
  // The generalisation round.
  {
    name: "a coroutine function turned sync by the project's decorator (it runs the loop)",
    code: `
import asyncio, functools
def blocking(f):
    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        return asyncio.get_event_loop().run_until_complete(f(*args, **kwargs))
    return wrapped
@blocking
async def setup_package():
    pass
def pytest_sessionstart(session):
    setup_package()
`,
  },
  {
    name: 'the sync branch of an iscoroutinefunction guard',
    code: `
from inspect import iscoroutinefunction
class Plugin:
    async def decrypt(self, message):
        pass
    async def on_message(self, message):
        func = self.decrypt
        if iscoroutinefunction(func):
            await func(message)
        else:
            func(message)
`,
  },
  {
    name: 'ensure_future of an executor future: no task is made',
    code: `\nimport asyncio\ndef save_later(path, data):\n    asyncio.ensure_future(asyncio.get_event_loop().run_in_executor(None, write, path, data))\n`,
  },
  {
    name: 'a coroutine function handed to an emitter (emitters such as pyee and slixmpp await it)',
    code: `\nasync def handle(message):\n    pass\ndef wire(emitter):\n    emitter.on("message", handle)\n`,
  },
  {
    name: "the project's own task group: its call_soon schedules the coroutine function itself",
    code: `
import asyncio
class TaskGroup:
    def __init__(self):
        self._tasks = set()
    def call_soon(self, afunc, *args):
        task = asyncio.create_task(afunc(*args))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
class Server:
    def __init__(self):
        self._background = TaskGroup()
    async def _handle(self, comm):
        pass
    def handle_comm(self, comm):
        self._background.call_soon(self._handle, comm)
`,
  },
  {
    name: "tornado's IOLoop (assigned in a base class) runs a coroutine callback",
    code: `
from tornado.ioloop import IOLoop
class Node:
    def __init__(self):
        self.io_loop = IOLoop.current()
class Worker(Node):
    async def close_gracefully(self):
        pass
    def schedule_retirement(self, lifetime):
        self.io_loop.call_later(lifetime, self.close_gracefully)
`,
  },
  {
    name: 'submit on something that is not an executor (a cluster client runs coroutine functions)',
    code: `
async def inc(x):
    return x + 1
def run_on_cluster(client):
    return client.submit(inc, 10)
`,
  },
  {
    name: 'a test decorator of the project that runs the coroutine through a helper',
    code: `
import asyncio
def _run_and_close(async_fn, *args):
    return asyncio.run(async_fn(*args))
def gen_cluster(**options):
    def decorator(func):
        def test_func(*args):
            return _run_and_close(func, *args)
        return test_func
    return decorator
def check_scatter():
    @gen_cluster(client=True)
    async def scenario(client):
        pass
    scenario()
`,
  },
  {
    name: 'a task kept under one of two names (a = b = create_task(...))',
    code: `\nimport asyncio\nasync def check(var):\n    pending = probe = asyncio.ensure_future(var.get())\n    await asyncio.sleep(0)\n    return await pending\n`,
  },
];

describe(`Python: ${RULE}`, () => {
  ruleCaseTests(RULE, valid, invalid);
});
