import { net, powerMonitor, powerSaveBlocker } from 'electron';
import type { Engine } from '../../engine';
import { PowerPolicy } from '../desktop/powerPolicy';

/** Feeds the OS's sleep, wake and network changes to the power policy (which decides). */
export function watchPower(engine: Engine): Pick<PowerPolicy, 'update' | 'dispose'> {
  const policy = new PowerPolicy(engine, net.isOnline(), { start: () => powerSaveBlocker.start('prevent-app-suspension'), stop: (id) => powerSaveBlocker.stop(id) });
  const onSuspend = () => policy.suspend();
  const onResume = () => policy.wake(net.isOnline());
  powerMonitor.on('suspend', onSuspend);
  powerMonitor.on('resume', onResume);
  const poll = setInterval(() => policy.network(net.isOnline()), 3000);
  return {
    update: (stats) => policy.update(stats),
    dispose() {
      clearInterval(poll);
      powerMonitor.off('suspend', onSuspend);
      powerMonitor.off('resume', onResume);
      policy.dispose();
    },
  };
}
