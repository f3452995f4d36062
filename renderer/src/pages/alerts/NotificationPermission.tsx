import { useState } from 'react';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';

type Permission = NotificationPermission | 'unsupported';

function currentPermission(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

const explain: Record<Permission, string> = {
  granted: 'Firing alerts show as desktop notifications while Orrery is open.',
  default: 'Allow notifications to be told of a firing alert while Orrery is open in the background.',
  denied: 'Notifications are blocked for this app; allow them in the browser or system settings to be told of firing alerts.',
  unsupported: 'This browser has no notifications; the inbox and the webhook still get every alert.',
};

/** Whether firing alerts may show as desktop notifications, and a button to ask when not decided yet. */
export function NotificationPermission() {
  const [permission, setPermission] = useState<Permission>(currentPermission);
  return (
    <Card title="Desktop notifications" testId="notification-permission">
      <p>
        <Badge tone={permission === 'granted' ? 'ok' : permission === 'default' ? 'warn' : 'neutral'} testId="notification-state">
          {permission === 'default' ? 'not asked yet' : permission}
        </Badge>
      </p>
      <p className="small muted">{explain[permission]}</p>
      {permission === 'default' && (
        <div className="actions">
          <button type="button" className="btn" onClick={() => void Notification.requestPermission().then(setPermission, () => setPermission(currentPermission()))} data-testid="notification-ask">
            Allow notifications
          </button>
        </div>
      )}
    </Card>
  );
}
