// UI strings: Chinese by default, English on request (saved in localStorage).
export const STRINGS = {
  zh: {
    title: '网格化服务管理',
    view_public: '公众地图', view_planner: '规划', view_dispatch: '调度',
    token: '访问令牌', tokenHint: '规划、调度视图需要令牌', save: '保存', signOut: '退出',
    signedInAs: '已登录：{label}（{role}）', role_public: '公众', role_worker: '网格员', role_dispatcher: '调度员', role_planner: '规划员', role_admin: '管理员',
    layers: '图层', communities: '社区', streets: '街道', grids: '网格', roads: '道路',
    buildings: '建筑', stations: '服务站点', workers: '网格员', incidents: '事件',
    search: '搜索服务站点…', nearest: '离我最近', walk15: '15分钟步行圈',
    households: '户数', residents: '人口', floors: '层数', kind: '类型', code: '编码',
    services: '服务内容', hours: '开放时间', address: '地址', name: '名称', status: '状态', category: '类别',
    downloads: '导出报表', downloadLedger: '网格台账（Excel）', downloadStatistics: '事件统计（Excel）',
    downloading: '正在生成…', downloaded: '已下载：{name}', downloadFailed: '导出失败：{detail}',
    loading: '加载中…', loaded: '已加载', noToken: '请输入令牌以查看内部数据', badToken: '令牌无效',
    summary: '概况', clickHint: '点击地图要素查看详情', language: 'English',
    service_centre: '党群服务中心', service_station: '党群服务站', red_outpost: '红色驿站', rider_rest_station: '骑手驿站',
    apartments: '住宅楼', residential: '住宅', house: '平房', school: '学校', hospital: '医院', campus: '校园',
    enterprise: '企业', market: '市场', park: '公园', public: '公共建筑', other: '其他',
    base: '基础网格', dedicated: '专属网格', geolocationFailed: '无法获取位置',
    reported: '已上报', assigned: '已派遣', in_progress: '处理中', resolved: '已办结', closed: '已关闭', returned: '已退回',
    rebalanceTitle: '调整社区', split: '拆分社区', merge: '合并社区', cancel: '取消', preview: '预览', commit: '提交',
    newCodes: '新社区编码（逗号分隔）', newNames: '新社区名称（逗号分隔）',
    splitHint: '点击要拆分的社区', drawHint: '在地图上点击画出分界线，然后预览', mergeHint: '点击要合并的相邻社区（至少两个）',
    picked: '已选', previewOf: '基于版本', buildingsMoved: '栋建筑调整', gridsChanged: '个网格新增或变化',
    gridsRetired: '个网格撤销', workersAffected: '名网格员受影响',
    gridsOutsideBand: '个网格超出容差', unbalanceableGrids: '个无法调平（楼栋规模或地块所限）', allWithinBand: '所有网格均在容差内', conflict: '版本冲突，请重新预览', committed: '已提交为版本',
    basemap: '底图', deviation: '偏离目标', gridBuildings: '建筑数', gridWorkers: '网格员数', stats: '统计',
    histogramTitle: '各网格户数分布', gridsWithin: '在±{pct}%以内', partitionPreview: '划网预览', partitionOf: '划网预览：',
    nearestWorkers: '最近的在岗网格员', assign: '派遣', assignedTo: '已派遣给', reportedAt: '上报时间', incidentCells: '事件数',
    count: '数量', metres: '米', servesGrid: '本网格',
  },
  en: {
    title: 'Grid governance',
    view_public: 'Public map', view_planner: 'Planner', view_dispatch: 'Dispatch',
    token: 'Access token', tokenHint: 'Planner and dispatch views need a token', save: 'Save', signOut: 'Sign out',
    signedInAs: 'Signed in: {label} ({role})', role_public: 'public', role_worker: 'grid worker', role_dispatcher: 'dispatcher', role_planner: 'planner', role_admin: 'administrator',
    layers: 'Layers', communities: 'Communities', streets: 'Streets', grids: 'Grids', roads: 'Roads',
    buildings: 'Buildings', stations: 'Service stations', workers: 'Workers', incidents: 'Incidents',
    search: 'Search stations…', nearest: 'Nearest to me', walk15: '15-minute walk',
    households: 'Households', residents: 'Residents', floors: 'Floors', kind: 'Kind', code: 'Code',
    services: 'Services', hours: 'Opening hours', address: 'Address', name: 'Name', status: 'Status', category: 'Category',
    downloads: 'Reports', downloadLedger: 'Grid ledger (Excel)', downloadStatistics: 'Incident statistics (Excel)',
    downloading: 'Preparing…', downloaded: 'Downloaded: {name}', downloadFailed: 'Export failed: {detail}',
    loading: 'Loading…', loaded: 'Loaded', noToken: 'Enter a token to see internal data', badToken: 'Invalid token',
    summary: 'Summary', clickHint: 'Click a feature for details', language: '中文',
    service_centre: 'Party-mass service centre', service_station: 'Party-mass service station', red_outpost: 'Red outpost', rider_rest_station: 'Rider rest station',
    apartments: 'Apartments', residential: 'Residential', house: 'House', school: 'School', hospital: 'Hospital', campus: 'Campus',
    enterprise: 'Enterprise', market: 'Market', park: 'Park', public: 'Public building', other: 'Other',
    base: 'Base grid', dedicated: 'Dedicated grid', geolocationFailed: 'Location unavailable',
    reported: 'Reported', assigned: 'Assigned', in_progress: 'In progress', resolved: 'Resolved', closed: 'Closed', returned: 'Returned',
    rebalanceTitle: 'Change communities', split: 'Split', merge: 'Merge', cancel: 'Cancel', preview: 'Preview', commit: 'Commit',
    newCodes: 'New community codes (comma-separated)', newNames: 'New community names (comma-separated)',
    splitHint: 'Click the community to split', drawHint: 'Click on the map to draw the dividing line, then preview', mergeHint: 'Click the adjacent communities to merge (two or more)',
    picked: 'Picked', previewOf: 'Preview on version', buildingsMoved: 'buildings move', gridsChanged: 'grids new or changed',
    gridsRetired: 'grids retired', workersAffected: 'workers affected',
    gridsOutsideBand: 'grids outside the tolerance', unbalanceableGrids: 'of them cannot be balanced (building sizes or an enclave)', allWithinBand: 'every grid within the tolerance', conflict: 'Version conflict: preview again', committed: 'Committed as version',
    basemap: 'Basemap', deviation: 'Off target', gridBuildings: 'Buildings', gridWorkers: 'Workers', stats: 'Statistics',
    histogramTitle: 'Households per grid', gridsWithin: 'within ±{pct}%', partitionPreview: 'Partition preview', partitionOf: 'Partition preview: ',
    nearestWorkers: 'Nearest on-duty workers', assign: 'Assign', assignedTo: 'Assigned to', reportedAt: 'Reported at', incidentCells: 'Incidents',
    count: 'Count', metres: 'm', servesGrid: 'own grid',
  },
};

export function currentLanguage() {
  return localStorage.getItem('gridmap.lang') === 'en' ? 'en' : 'zh';
}

/// The string for `key` in the current language, with `{name}` replaced from `vars`.
export function t(key, vars = {}) {
  const lang = currentLanguage();
  const text = STRINGS[lang][key] ?? STRINGS.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

export function toggleLanguage() {
  localStorage.setItem('gridmap.lang', currentLanguage() === 'zh' ? 'en' : 'zh');
}
